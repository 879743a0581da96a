"""Pieces of the plan cards: the colours of a status badge."""

from __future__ import annotations

from figures.palette import STATUS_COLOURS


def status_badge_colour(status: str) -> str:
    """The background colour of a status badge (``palette.STATUS_COLOURS``): ``atteint``,
    ``en bonne voie``, ``en retard``, ``non atteint`` or ``pas de données``."""
    if status not in STATUS_COLOURS:
        raise ValueError(f"status_badge_colour: unknown status {status!r}; expected one of {list(STATUS_COLOURS)}")
    return STATUS_COLOURS[status]


def badge_text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (``#RRGGBB``), by the WCAG
    relative luminance: black on every status colour of the palette."""
    red, green, blue = (int(background.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#FFFFFF"
