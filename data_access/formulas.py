"""Formula injection: the one rule every file we write follows (exports, import reports).

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel or LibreOffice when the file is opened (``=HYPERLINK(…)`` exfiltrates the
neighbouring cells). Names of communes, file names and cells of imported files reach our tables
and reports, so every file neutralises them with an apostrophe; numbers are never touched (a
negative number is not a formula).
"""

from __future__ import annotations

import pandas as pd

# a cell starting with one of these is read as a formula by Excel / LibreOffice
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_dangerous(value: object) -> bool:
    """Whether ``value`` is a text a spreadsheet would read as a formula."""
    return isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES)


def neutral_text(value: str) -> str:
    """``value`` with an apostrophe in front when a spreadsheet would read it as a formula."""
    return f"'{value}" if is_dangerous(value) else value


def _is_text_column(column: pd.Series) -> bool:
    return column.dtype == object or pd.api.types.is_string_dtype(column) or isinstance(column.dtype, pd.CategoricalDtype)


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where text cells and column names starting with a formula character are prefixed with an apostrophe.

    Numbers are left as numbers (a negative number is not a formula); so are dates and booleans."""
    safe = frame.copy()
    for column in safe.columns:
        if _is_text_column(safe[column]):
            values = safe[column].astype(object) if isinstance(safe[column].dtype, pd.CategoricalDtype) else safe[column]
            safe[column] = values.map(lambda v: neutral_text(v) if isinstance(v, str) else v)
    if any(is_dangerous(c) for c in safe.columns):
        safe.columns = pd.Index([neutral_text(c) if isinstance(c, str) else c for c in safe.columns])
    return safe
