"""Mal-logement : signalements par type face aux objectifs annuels, du repérage au traitement, carte par territoire."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from data_access.french import fr_number, fr_year
from data_access.vocabulary import LEVEL_SINGULAR, PAGE_INFO, Granularity, ObjectiveKind, Page
from figures.lines import Target
from figures.trends import trend_figure
from views import common
from views.loader import Loader
from views.model import Block, Chart, KeyFigure, Table, Text, View
from views.params import ViewParams

TITLE = PAGE_INFO[Page.MAL_LOGEMENT].page_title
TYPES = ("signalements_insalubrite", "signalements_non_decence", "signalements_precarite_energetique")
OUT_OF_INDIGNITY = "logements_sortis_indignite"
TREATED_ENERGY = "situations_precarite_energetique_traitees"
# charted only when the plan sets them a yearly objective (Sarthe 2B; Isère 5.2 « 650 situations traitées par an »)
WITH_OBJECTIVE_ONLY = (TREATED_ENERGY, OUT_OF_INDIGNITY)
CHARTED = (*TYPES, *WITH_OBJECTIVE_ONLY)  # signalements first, each treated kind after them
TREATMENT = ("menages_reperes", "decisions_travaux", "arretes_insalubrite", "levees_insalubrite", "logements_sortis_indignite")
SPOTTED = "menages_reperes"
SHORT_NAMES = {
    "signalements_insalubrite": "Insalubrité",
    "signalements_non_decence": "Non-décence",
    "signalements_precarite_energetique": "Précarité énergétique",
}
MAP_UNIT = "pour 1 000 ménages"


def build(params: ViewParams, loader: Loader) -> View:
    """One chart per kind of signalement against the plan's yearly objective, the treatment of the
    situations spotted, and the map of the households spotted at the chosen level."""
    catalogue = common.catalogue(loader)
    labels = common.labels(loader)
    filters = common.filters_text(params, granularity=Granularity.YEAR)
    yearly = loader.indicator_series(CHARTED, (params.territory,), params.period, Granularity.YEAR.value)
    if yearly.empty:
        return View(Page.MAL_LOGEMENT, TITLE, filters, empty=f"les signalements à {params.territory_name} sur {params.period.label()}")
    minimums = common.page_objectives(loader, params.plan, CHARTED, [ObjectiveKind.MIN_PER_YEAR]).drop_duplicates("indicator_code")
    targets = dict(zip(minimums["indicator_code"], common.objective_targets(loader, params, minimums, Granularity.YEAR.value), strict=True))
    blocks: list[Block] = []
    for indicator in CHARTED:
        objective = minimums[minimums["indicator_code"] == indicator]
        if objective.empty and indicator in WITH_OBJECTIVE_ONLY:
            continue
        unit = f"{str(catalogue.at[indicator, 'unit'])} par an"
        target = targets.get(indicator, (None, None))[0]
        blocks.append(
            _signalements(params, loader, yearly[yearly["indicator_code"] == indicator], indicator, labels, unit, objective, target)
        )
    blocks.extend(_treatment(params, loader, labels))
    blocks.append(_map(params, loader, labels))
    signalements = yearly[yearly["indicator_code"].isin(TYPES)]
    return View(
        Page.MAL_LOGEMENT,
        TITLE,
        filters,
        tuple(blocks),
        key_figures=tuple(_key_figures(signalements)),
        status=common.objective_status_text(loader, params, CHARTED),
        source=common.source_line(loader, TYPES, params.departement),
        demo=common.is_demo(signalements),
        notices=common.secret_notices(loader, params, CHARTED),
    )


def _key_figures(signalements: pd.DataFrame) -> list[KeyFigure]:
    """Each kind of signalement's last yearly value (« Insalubrité (2024) »)."""
    figures = []
    for code in TYPES:
        own = signalements[signalements["indicator_code"] == code].dropna(subset=["value"]).sort_values("period_start")
        if not own.empty:
            figures.append(
                KeyFigure(f"{SHORT_NAMES[code]} ({fr_year(own['period_start'].iloc[-1])})", fr_number(float(own["value"].iloc[-1])))
            )
    return figures


def _signalements(
    params: ViewParams,
    loader: Loader,
    series: pd.DataFrame,
    indicator: str,
    labels: dict[str, str],
    unit: str,
    objective: pd.DataFrame,
    target: Target | None,
) -> Chart:
    """One kind of situation per year, with the plan's yearly minimum where it applies (the territory
    it names): its zone, each plan year's verdict and the latest one in the legend."""
    figure = (
        trend_figure(
            series,
            names={**labels, params.territory: params.territory_name},
            unit=unit,
            objective=target,
            period=(params.period.start, params.period.end),
            presentation=params.presentation,
        )
        if not series.empty
        else None
    )
    data = common.series_table(series, Granularity.YEAR)
    return Chart(
        f"ml-{indicator}",
        f"{labels[indicator]} — {params.territory_name}, {params.period.label()}",
        figure,
        data,
        unit,
        (indicator,),
        common.is_demo(series),
        source=common.source_line(loader, [indicator], params.departement),
        note=_objective_note(loader, params, objective.iloc[0]) if target is not None else None,
        key_figure=common.last_value(series, labels[indicator], ""),
        message=None if figure is not None else "Aucune donnée sur cette période.",
    )


def _objective_note(loader: Loader, params: ViewParams, objective: pd.Series) -> str:
    """Where the objective drawn comes from (its label is in the legend): the plan's fiche-action that sets it."""
    actions = loader.plan_structure(params.plan)
    action = actions[actions["code"] == objective["action_code"]]
    where = f"fiche-action {objective['action_code']}"
    if not action.empty:
        where += f" « {action['title'].iloc[0]} »"
    return f"Objectif annuel du plan, {where}."


def _treatment(params: ViewParams, loader: Loader, labels: dict[str, str]) -> list[Block]:
    """From spotting to treatment over the whole period: each stage in the chain's order (spotted,
    works decided, orders, orders lifted, housing out of indignity), its count and per 100
    households spotted, with its source and whether it is demo data."""
    title = "Du repérage au traitement"
    treatment = loader.indicator_series(TREATMENT, (params.territory,), params.period, Granularity.TOTAL.value)
    values = treatment.set_index("indicator_code")["value"]
    codes = [code for code in TREATMENT if code in values.index]  # the chain's order, never the frame's
    if values.reindex(codes).isna().all():
        return [Text(f"Aucune donnée sur le traitement des situations repérées sur {params.period.label()}.", heading=title)]
    source = common.source_line(loader, [c for c in TREATMENT if c in codes], params.departement)
    return [
        Table(
            "ml-traitement",
            title,
            treatment_table(values, labels),
            caption=f"Taux de concrétisation entre repérage et traitement, sur toute la période choisie ({params.period.label()}). {source}.",
            demo=common.is_demo(treatment),
            source=source,
        )
    ]


def treatment_table(values: pd.Series, labels: dict[str, str]) -> pd.DataFrame:
    """The stages of ``values`` (indicator code → total over the period) in the chain's order
    (:data:`TREATMENT`), French headers: each stage's count as a whole number (« 2 895 » once printed)
    and, when households were spotted, per 100 of them with one decimal (« 0,7 »)."""
    codes = [code for code in TREATMENT if code in values.index]
    counts = pd.array([None if pd.isna(values[c]) else round(float(values[c])) for c in codes], dtype="Int64")
    steps = pd.DataFrame({"Étape": [labels.get(c, c) for c in codes], "Valeur": counts})
    spotted = values.get(SPOTTED)
    if spotted is not None and pd.notna(spotted) and spotted:
        steps["Pour 100 ménages repérés"] = [
            None if pd.isna(values[c]) else round(100 * float(values[c]) / float(spotted), 1) for c in codes
        ]
        steps["Pour 100 ménages repérés"] = steps["Pour 100 ménages repérés"].astype("Float64")
    return steps


def _map(params: ViewParams, loader: Loader, labels: dict[str, str]) -> Chart:
    """The households spotted per 1 000 households, for each territory of the chosen level."""
    values = loader.level_values(SPOTTED, params.level.value, params.departement, params.period)
    title = f"Ménages repérés pour 1 000 ménages par {LEVEL_SINGULAR[params.level]} — {params.period.label()}"
    figure: go.Figure | None
    message: str | None
    if values["value"].isna().all():
        figure, message = None, f"Aucun ménage repéré au niveau « {LEVEL_SINGULAR[params.level]} » sur {params.period.label()}."
    else:
        figure, message = common.level_map(
            loader, params, values, value_column="rate", unit=MAP_UNIT, title=title, indicator_label=labels[SPOTTED]
        )
    data = common.level_table(values, "Ménages repérés")
    return Chart(
        "ml-carte",
        title,
        figure,
        data,
        MAP_UNIT,
        (SPOTTED,),
        common.is_demo(values),
        source=common.source_line(loader, [SPOTTED, "menages"], params.departement),
        note=common.small_numbers_note(params.level),
        message=message,
    )
