"""The validator of the surveillance-ties data package.

``validate(path)`` checks a package folder (its ``datapackage.json``, or a release zip) in one run
and returns a :class:`Report` of errors as data; see :mod:`.codes` for the error codes and
:mod:`.report` for the JSON structure. It never writes a file, never opens a connection and never
imports frictionless, pandas or pandera: numpy and pyarrow do all the work.

Modules, in the order a run uses them: ``run`` (the order of it all), ``read`` (one pass per
CSV: bytes, hash, byte-level hygiene, one pyarrow parse with every column as text, editor line
numbers), ``hygiene`` (white space, formulas, empty rows), ``types`` and ``cells`` (Table Schema
types, constraints, keys, citations), ``provenance`` and ``quotes`` (archives, quotes, uncited
records), ``meaning`` (rules a Table Schema cannot say), ``strings`` (numpy views of Arrow text
columns) and ``render`` (text, JSON, GitHub annotations). The descriptor and the schemas are read
and checked by the package layer (:mod:`surveillance_ties.datapackage`), whose problems become
errors here.
"""

from surveillance_ties.validation.report import Error, Report
from surveillance_ties.validation.run import validate

__all__ = ["Error", "Report", "validate"]
