"""Colour-blind-safe palettes, one place for the whole app (and the exports).

Categorical colours are Okabe–Ito, held in one registry that every figure reads (and so every
export, which draws the same figures): an indicator (:data:`INDICATOR_COLOURS`), an FSL aid type
(:data:`AID_COLOURS`), a territory's role in a chart (:data:`ROLE_COLOURS`: selected, département,
France, objective) keeps the same colour on every page, because colours come from what a line is,
never from the order of a chart's traces (:func:`colour_for`); several indicators on one chart
also differ by their dash (:data:`INDICATOR_DASHES`).
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
    "à fixer": "#0072B2",
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
    "à fixer": "#D6E6F2",
    "abandonné": "#E3E3E3",
    "pas de données": "#EFEFEF",
}
# --- the registry: one colour per thing ---------------------------------------------------------
# Okabe–Ito by name, so that the registry below reads as colours, not as hex codes.
BLUE, ORANGE, GREEN, PINK, SKY_BLUE, VERMILLION, YELLOW, BLACK = OKABE_ITO

# Territories by their role in a chart, whatever their code (a third plan needs no change): the
# selected territory blue, the département drawn beside it black, France orange — three colours any
# colour-blind viewer tells apart, and apart in grey too (lightness contrast at least 2:1) — and the
# plan's objective purple.
ROLE_COLOURS = {"selected": BLUE, "departement": BLACK, "france": ORANGE, "objective": OBJECTIVE}

# FSL aid types: one colour each, whatever is measured (households, amounts, average amounts,
# requests), so that « énergie » is vermillion on every chart of the FSL page and of its exports.
AID_TYPES = ("acces", "maintien", "energie", "eau", "telephone")
AID_COLOURS = {"acces": BLUE, "maintien": ORANGE, "energie": VERMILLION, "eau": SKY_BLUE, "telephone": PINK}

# Indicators with a colour of their own, on every page (the other indicators take a stable colour
# derived from their code, see :func:`colour_for`).
INDICATOR_COLOURS = {
    # the eviction chain, stage by stage (the funnel and the trend lines alike)
    "assignations": BLUE,
    "cql": SKY_BLUE,
    "cfp_demandes": ORANGE,
    "cfp_accordes": VERMILLION,
    "expulsions_effectives": BLACK,
    # CCAPEX activity, drawn together on the expulsion page
    "dossiers_ccapex": GREEN,
    "diagnostics_sociaux": PINK,
    "menages_presents_audience": SKY_BLUE,
    # FSL requests: everyday charges (energy, water, telephone together), energy among them in
    # the energy aids' colour
    "fsl_demandes_charges_courantes": BLACK,
    # mal-logement: each kind of situation, energy poverty in the energy colour of the FSL
    "signalements_insalubrite": BLUE,
    "signalements_non_decence": ORANGE,
    "signalements_precarite_energetique": VERMILLION,
    "situations_precarite_energetique_traitees": VERMILLION,
    "logements_sortis_indignite": SKY_BLUE,
    "menages_reperes": GREEN,
}

# Several indicators on one chart: each its own dash as well as its own colour (first solid), so
# that two indicators of one territory never look alike, in colour or in grey. « dot » is kept for
# provisional stretches, « dash » for the plan's objective: they come last.
INDICATOR_DASHES = ("solid", "longdash", "dashdot", "longdashdot", "6px,3px,2px,3px,2px,3px", "dash")


def aid_type(code: str) -> str | None:
    """The FSL aid type an indicator or aid code measures: ``fsl_energie_menages``,
    ``fsl_energie_montant_moyen``, ``fsl_demandes_energie`` and ``fsl_energie`` are ``"energie"``;
    None for anything else (``fsl_demandes_charges_courantes``, ``assignations``)."""
    if not code.startswith("fsl_"):
        return None
    return next((part for part in code.split("_")[1:] if part in AID_COLOURS), None)


def colour_for(key: str, role: str | None = None) -> str:
    """The colour of an indicator, an FSL aid type or a territory code: its role's when given
    (``"selected"``, ``"departement"``, ``"france"``, ``"objective"``: :data:`ROLE_COLOURS`), the
    indicator's own (:data:`INDICATOR_COLOURS`), its aid type's (:data:`AID_COLOURS`), otherwise a
    stable Okabe–Ito colour derived from the code (the same on every page and every run)."""
    if role in ROLE_COLOURS:
        return ROLE_COLOURS[role]
    if key in INDICATOR_COLOURS:
        return INDICATOR_COLOURS[key]
    aid = aid_type(key)
    if aid is not None:
        return AID_COLOURS[aid]
    digest = int(hashlib.sha1(key.encode()).hexdigest(), 16)
    return LINE_COLOURS[digest % len(LINE_COLOURS)]


def dash_for(index: int) -> str:
    """The dash of the ``index``-th indicator of a chart drawing several (:data:`INDICATOR_DASHES`)."""
    return INDICATOR_DASHES[index % len(INDICATOR_DASHES)]


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of ``#RRGGBB`` (0 black … 1 white)."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def lightness_contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours (1 the same lightness … 21 black on white): how far
    apart they stay in grey, on a black-and-white print or for a viewer without colour vision."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)
