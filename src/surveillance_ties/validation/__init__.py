"""The validator of the surveillance-ties data package.

``validate(path)`` checks a package folder (or its ``datapackage.json``) in one run and returns a
:class:`Report` of errors as data; see :mod:`.codes` for the error codes and :mod:`.report` for
the JSON structure. Modules: ``descriptor`` (datapackage.json and schemas), ``read`` (one pass
per CSV: bytes, hygiene, pyarrow parse, line numbers), ``hygiene``, ``types`` and ``cells``
(Table Schema), ``provenance`` (archives, quotes, citations), ``meaning``/``mapper``/
``meaning_run`` (pandera checks), ``render`` (text, JSON, GitHub annotations).
"""

from surveillance_ties.validation.report import Error, Report
from surveillance_ties.validation.run import validate

__all__ = ["Error", "Report", "validate"]
