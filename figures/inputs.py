"""Checks and small helpers on the DataFrames the builders receive."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd


def require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise ``ValueError`` naming the missing columns when ``frame`` lacks any of ``columns``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: expected columns {list(columns)}; missing {missing} in the columns received {list(frame.columns)}")


def ordered_codes(codes: Iterable[str], names: Mapping[str, str]) -> list[str]:
    """Distinct ``codes`` in the order of ``names`` (the page's order, e.g. territories by name),
    then the codes ``names`` does not know, sorted."""
    distinct = list(dict.fromkeys(codes))
    rank = {code: i for i, code in enumerate(names)}
    return sorted(distinct, key=lambda c: (rank.get(c, len(rank)), c))


def shorten(text: str, width: int) -> str:
    """``text`` cut at a word boundary to at most ``width`` characters, with « … » when cut."""
    return textwrap.shorten(" ".join(text.split()), width=width, placeholder=" …")


def wrap(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` characters, joined with ``<br>`` for Plotly."""
    return "<br>".join(textwrap.wrap(" ".join(str(text).split()), width=width)) or str(text)
