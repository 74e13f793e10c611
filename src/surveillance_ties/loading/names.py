"""The names of the tables of the package, as a type: ``st.load("organisations")`` is a type error.

Generated from datapackage.json by surveillance_ties.loading.generate.names_module; do not edit.
After adding, renaming or removing a table, regenerate it with `python -m surveillance_ties.loading.generate`.
"""

from typing import Literal, TypeAlias

__all__ = ["TableName"]

#: A table of the installed package, in the order of ``datapackage.json``.
TableName: TypeAlias = Literal[
    "organizations",
    "partnerships",
    "features",
    "regulatory_actions",
    "sources",
    "citations",
]
