"""Tables as files a French spreadsheet opens correctly, safe against formula injection."""

from __future__ import annotations

import io

import pandas as pd

# a cell starting with one of these is read as a formula by Excel / LibreOffice
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where text cells starting with a formula character are prefixed with an apostrophe.

    Numbers are left as numbers (a negative number is not a formula)."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(lambda v: f"'{v}" if isinstance(v, str) and v.startswith(DANGEROUS_PREFIXES) else v)
    return safe


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM, ``;`` separator, decimal comma: what French Excel expects."""
    buffer = io.StringIO()
    neutralised(frame).to_csv(buffer, sep=";", decimal=",", index=False)
    return buffer.getvalue().encode("utf-8-sig")
