"""Colour-blind-safe palettes, one place for the whole app (and the exports).

Categorical colours are Okabe–Ito; an indicator or a territory keeps the same colour on every
page because colours are assigned from a stable order, not from the order of a chart's traces.
Sequential classes come from the ColorBrewer « YlGnBu » scheme, diverging from « RdBu » (both
colour-blind safe); class colours are fixed so that a colour means the same thing every year.
"""

from __future__ import annotations

import hashlib

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
# Okabe–Ito without its yellow, which is too pale for a line on white
LINE_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
SEQUENTIAL_5 = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
DIVERGING_5 = ("#ca0020", "#f4a582", "#f7f7f7", "#92c5de", "#0571b0")  # far below … far above target
NO_DATA = "#d9d9d9"
HIGHLIGHT = "#D55E00"
REFERENCE = "#444444"
OBJECTIVE = "#7B3294"  # purple: never a territory's or an indicator's colour
NEUTRAL = "#8C8C8C"
STATUS_COLOURS = {
    "atteint": "#009E73",
    "en bonne voie": "#56B4E9",
    "en retard": "#E69F00",
    "non atteint": "#D55E00",
    "à renseigner": "#CC79A7",
    "abandonné": "#666666",
    "pas de données": "#999999",
}
# A plan year judged against its objective: a shape as well as a colour, so that the verdict reads
# without colour vision — a circle on the side where the target is met, a cross on the other;
# filled once the year is complete, hollow while it runs (as provisional points are).
VERDICT_MARKERS = {
    "atteint": ("circle", STATUS_COLOURS["atteint"]),
    "en bonne voie": ("circle-open", STATUS_COLOURS["en bonne voie"]),
    "en retard": ("x-open", STATUS_COLOURS["en retard"]),
    "non atteint": ("x", STATUS_COLOURS["non atteint"]),
}
VERDICT_RIM = "#222222"
# The side of a target where it is met: the « atteint » green, light enough to stay behind the lines.
MET_ZONE_FILL = "rgba(0, 158, 115, 0.10)"
# The same statuses as cell backgrounds behind black text (contrast above 12:1, WCAG AAA): a table
# of chips stays readable, and the symbol before each word carries the status without colour.
STATUS_TINTS = {
    "atteint": "#C9EBDF",
    "en bonne voie": "#D9EEFA",
    "en retard": "#FBE7C2",
    "non atteint": "#F7D3BD",
    "à renseigner": "#F2DCE8",
    "abandonné": "#E3E3E3",
    "pas de données": "#EFEFEF",
}
# The eviction chain and the families keep fixed colours everywhere.
FIXED = {
    "assignations": "#0072B2",
    "cql": "#56B4E9",
    "cfp_demandes": "#E69F00",
    "cfp_accordes": "#D55E00",
    "expulsions_effectives": "#000000",
    # FSL aid types: households and amounts share their type's colour
    **{
        f"fsl_{aid}_{measure}": colour
        for aid, colour in zip(
            ("acces", "maintien", "energie", "eau", "telephone"), ("#0072B2", "#E69F00", "#D55E00", "#56B4E9", "#CC79A7"), strict=True
        )
        for measure in ("menages", "montant", "montant_moyen")
    },
}


# Territories drawn for reference keep a colour by role, whatever their code (a third plan needs no change).
ROLE_COLOURS = {"departement": "#444444", "france": "#6b6b6b"}


def colour_for(key: str, role: str | None = None) -> str:
    """The colour of an indicator or territory code: its role's (``"departement"``, ``"france"``),
    fixed for the main indicators, otherwise a stable Okabe–Ito colour derived from the code (the
    same on every page and every run)."""
    if role in ROLE_COLOURS:
        return ROLE_COLOURS[role]
    if key in FIXED:
        return FIXED[key]
    digest = int(hashlib.sha1(key.encode()).hexdigest(), 16)
    return LINE_COLOURS[digest % len(LINE_COLOURS)]
