"""The package layer: the only code that opens a copy of the data package and reads its files.

Everything else in surveillance-ties (validation, loading, releasing, documents, the command
line) receives a :class:`Package` from :func:`open_package` and reads through it, so every
command gets the same safety: only regular files inside the package are read, descriptors of
any shape are problems rather than crashes, zip members and downloads are checked and bounded,
and every write is atomic.

Modules, bottom up: ``errors`` (the exception family), ``text`` (quote folding, printable
output), ``hashing`` (the one hasher), ``writing`` (atomic writes, locks), ``stores`` (folder,
zip and git access, safe paths), ``model`` (the typed package, resource, dialect, schema and
field), ``schema`` and ``descriptor`` (reading them, problems as data), ``installed`` (the copy
installed with the library), ``revisions`` (git), ``fetch`` (downloads), ``open`` (any copy),
``typemap`` (Table Schema types in Arrow, pandas, polars and SQLite) and ``tables`` (a table as
Arrow).
"""

from surveillance_ties.datapackage.descriptor import Package, dumps, load_json, read_package
from surveillance_ties.datapackage.errors import (
    DataError,
    DescriptorError,
    FetchError,
    HashMismatchError,
    MissingDependencyError,
    MissingFileError,
    PackageError,
    RevisionError,
    SurveillanceTiesError,
    UnknownRecordError,
    UnknownTableError,
    UnsafePathError,
    WriteError,
)
from surveillance_ties.datapackage.installed import package_root
from surveillance_ties.datapackage.model import (
    DESCRIPTOR,
    Dialect,
    Field,
    ForeignKey,
    Problem,
    Resource,
    TableSchema,
)
from surveillance_ties.datapackage.open import SourceLike, default_root, find_root, open_package

__all__ = [
    "DESCRIPTOR",
    "DataError",
    "DescriptorError",
    "Dialect",
    "FetchError",
    "Field",
    "ForeignKey",
    "HashMismatchError",
    "MissingDependencyError",
    "MissingFileError",
    "Package",
    "PackageError",
    "Problem",
    "Resource",
    "RevisionError",
    "SourceLike",
    "SurveillanceTiesError",
    "TableSchema",
    "UnknownRecordError",
    "UnknownTableError",
    "UnsafePathError",
    "WriteError",
    "default_root",
    "dumps",
    "find_root",
    "load_json",
    "open_package",
    "package_root",
    "read_package",
]
