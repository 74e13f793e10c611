"""The validator of the surveillance-ties data package.

``validate(path)`` checks a package folder (or its ``datapackage.json``) in one run and returns a
:class:`Report` of errors as data; see :mod:`.codes` for the error codes and :mod:`.report` for
the JSON structure. It never writes a file, never opens a connection and never imports
frictionless.

Modules, in the order a run uses them: ``descriptor`` (datapackage.json and the Table Schemas),
``read`` (one pass per CSV: bytes, hash, byte-level hygiene, one pyarrow parse with every column
as text, editor line numbers), ``hygiene`` (white space, formulas, empty rows), ``types`` and
``cells`` (Table Schema types, constraints, keys, citations), ``provenance`` and ``quotes``
(archives, quotes, uncited records), ``meaning``, ``mapper`` and ``meaning_run`` (the pandera
checks), ``strings`` (numpy views of Arrow text columns), ``run`` (the order of it all) and
``render`` (text, JSON, GitHub annotations).
"""

from surveillance_ties.validation.report import Error, Report
from surveillance_ties.validation.run import validate

__all__ = ["Error", "Report", "validate"]
