"""Objective statuses and plan texts in words: status badges, values, Markdown (pure; shared by the views and the screen)."""

from __future__ import annotations

import re

from data_access.vocabulary import STATUS_SYMBOLS, ObjectiveStatus

STATUSES = tuple(status.value for status in ObjectiveStatus)
BADGE_COLOURS = {
    ObjectiveStatus.ATTEINT: "green",
    ObjectiveStatus.EN_BONNE_VOIE: "blue",
    ObjectiveStatus.EN_RETARD: "orange",
    ObjectiveStatus.NON_ATTEINT: "red",
    ObjectiveStatus.A_RENSEIGNER: "violet",
    ObjectiveStatus.A_FIXER: "gray",
    ObjectiveStatus.ABANDONNE: "gray",
    ObjectiveStatus.PAS_DE_DONNEES: "gray",
}
# « ✔ atteint, ↗ en bonne voie, … – pas de données »: the key to every status column
STATUS_LEGEND = ", ".join(f"{symbol} {status}" for status, symbol in STATUS_SYMBOLS.items())
MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]#$~<>|])")
LIST_ITEM = re.compile(r"^(\s*)[-–•*]\s+(.*)$")
NUMBERED = re.compile(r"^(\d+)([.)])(\s)")  # « 2008. » at a line's start would open an ordered list


def status_badge(status: str) -> str:
    """The Markdown badge of an objective status: ``:green-badge[✔ atteint]`` (unknown words: grey)."""
    known = ObjectiveStatus(status) if status in STATUSES else ObjectiveStatus.PAS_DE_DONNEES
    return f":{BADGE_COLOURS[known]}-badge[{STATUS_SYMBOLS[known]} {status}]"


def status_with_symbol(status: str) -> str:
    """« ✔ atteint »: a status word after its symbol, as the status columns print it."""
    symbol = STATUS_SYMBOLS[ObjectiveStatus(status)] if status in STATUSES else ""
    return f"{symbol} {status}".strip()


BARS = "▁▂▃▄▅▆▇█"


def sparkline_text(values: list[float]) -> str:
    """Values as a line of block characters, lowest to highest (« ▂▅█▃ »; "–" without values): a
    trajectory that prints in a static table, a PDF and a spreadsheet alike."""
    if not values:
        return "–"
    low, high = min(values), max(values)
    span = high - low
    return "".join(BARS[round((value - low) / span * (len(BARS) - 1)) if span else 3] for value in values)


SYMBOL_STATUS = {symbol: status.value for status, symbol in STATUS_SYMBOLS.items()}


def cell_status(text: object) -> str | None:
    """The status a chip or status cell says: « ✔ 46 », « ✔ atteint », « atteint » → « atteint »;
    None for anything else."""
    words = str(text).strip()
    if words in STATUSES:
        return words
    symbol = words.split(" ", 1)[0]
    return SYMBOL_STATUS.get(symbol)


def escape_markdown(text: str) -> str:
    """``text`` with the characters Markdown (and Streamlit: ``$`` for formulas) would read as markup escaped."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", text)


def markdown_paragraphs(text: str, label: str | None = None) -> str:
    """A plan text as Markdown, its line breaks kept: each line a paragraph, « - » lines a list.

    ``label`` (« Description ») is printed in bold before the first paragraph, or on its own line
    when the text opens with a list."""
    parts: list[str] = []
    items: list[str] = []
    for line in text.splitlines():
        item = LIST_ITEM.match(line)
        if item is not None:
            items.append(f"{'  ' if item.group(1) else ''}- {escape_markdown(item.group(2).strip())}")
            continue
        if items:
            parts.append("\n".join(items))
            items = []
        if line.strip():
            parts.append(NUMBERED.sub(r"\1\\\2\3", escape_markdown(line.strip())))
    if items:
        parts.append("\n".join(items))
    if label is not None:
        heading = f"**{label}.**"
        if parts and not parts[0].startswith("- "):
            parts[0] = f"{heading} {parts[0]}"
        else:
            parts.insert(0, heading)
    return "\n\n".join(parts)
