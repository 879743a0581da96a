"""Procédure d'expulsion : la chaîne assignations → expulsions effectives, sa saisonnalité, l'activité de la CCAPEX,
et chaque objectif du plan sur ces indicateurs dans son propre graphique annuel."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from data_access.french import fr_auto, fr_number, fr_percent
from data_access.queries import EVICTION_CHAIN
from data_access.status import BASELINE_KINDS
from data_access.vocabulary import PAGE_INFO, TREVE, Granularity, ObjectiveKind, ObjectiveStatus, Page
from figures.chain import FunnelVerdict, chain_funnel
from figures.inputs import shorten
from figures.lines import Target
from figures.seasonality import seasonality_heatmap
from figures.trends import trend_figure
from views import common
from views.loader import Loader
from views.model import Block, Chart, KeyFigure, View
from views.params import ViewParams

TITLE = PAGE_INFO[Page.EXPULSIONS].page_title
SEASONAL = ("expulsions_effectives", "assignations", "cql", "cfp_demandes", "cfp_accordes")
DEFAULT_SEASONALITY = SEASONAL[0]
CQL_RATE = "taux_cql_assignations"
ACTIVITY = ("dossiers_ccapex", "diagnostics_sociaux", "menages_presents_audience")
# the chain's indicators a plan may set an objective on, in the order their yearly charts follow the funnel
CHAIN_OBJECTIVES = (CQL_RATE, *EVICTION_CHAIN)
ACTIVITY_TITLE = "Activité de prévention et de la CCAPEX"
FICHE_TITLE_WIDTH = 80


def chosen_seasonality(params: ViewParams) -> str:
    """The indicator whose months are shown: the URL's ``saisonnalite`` when it is one of the chain's, else expulsions."""
    return params.seasonality if params.seasonality in SEASONAL else DEFAULT_SEASONALITY


def build(params: ViewParams, loader: Loader) -> View:
    """The eviction chain as a funnel against the plan's CQL-rate ceiling, one stage's months, then each
    objective of the plan on the chain in its own yearly chart (the ceiling, Sarthe's decreases), and
    the CCAPEX's activity (each indicator with an objective in its own chart: Isère 4.1, 4.2)."""
    labels = common.labels(loader)
    filters = common.filters_text(params)
    notices = (
        (f"Saisonnalité « {params.seasonality[:40]} » inconnue : {labels[DEFAULT_SEASONALITY].lower()}.",)
        if params.seasonality and params.seasonality not in SEASONAL
        else ()
    )
    chain = loader.eviction_chain(params.territory, params.period)
    if chain["value"].isna().all():
        return View(
            Page.EXPULSIONS,
            TITLE,
            filters,
            notices=notices,
            empty=f"la procédure d'expulsion à {params.territory_name} sur {params.period.label()}",
        )
    source = common.source_line(loader, EVICTION_CHAIN, params.departement)
    objectives = _charted_objectives(loader, params, (*CHAIN_OBJECTIVES, *ACTIVITY))
    targets = common.objective_targets(loader, params, objectives, Granularity.YEAR.value)
    charted = list(zip(_keyed(objectives), targets, strict=True))
    on_chain = sorted(  # in the chain's order: the ceiling on the rate, then the stages
        ((row, drawn) for row, drawn in charted if row["indicator_code"] in CHAIN_OBJECTIVES),
        key=lambda item: CHAIN_OBJECTIVES.index(str(item[0]["indicator_code"])),
    )
    rate = next(
        ((row, target) for row, (target, _) in on_chain if row["kind"] == ObjectiveKind.RATIO_MAX and row["indicator_code"] == CQL_RATE),
        None,
    )
    yearly = [_objective_chart(params, loader, labels, row, drawn) for row, drawn in on_chain]
    seasonal = _seasonality(params, loader, labels)
    activity = _activity(params, loader, labels, [(row, drawn) for row, drawn in charted if row["indicator_code"] in ACTIVITY])
    funnel = _funnel(params, loader, chain, source, rate, next((c.title for c in yearly if c.indicators == (CQL_RATE,)), None))
    # the seasonality right after the funnel: the page puts its selector between them (pages/expulsions.py)
    blocks: list[Block] = [funnel, seasonal, *yearly, *activity]
    values = chain.set_index("indicator_code")["value"]
    key_figures = [
        KeyFigure(label, fr_number(values.get(code)))
        for code, label in (("assignations", "Assignations"), ("expulsions_effectives", "Expulsions effectives"))
    ]
    if values.get("assignations") and pd.notna(values.get("expulsions_effectives")):
        key_figures.append(
            KeyFigure("Expulsions pour 100 assignations", fr_number(100 * values["expulsions_effectives"] / values["assignations"], 1))
        )
    return View(
        Page.EXPULSIONS,
        TITLE,
        filters,
        tuple(blocks),
        key_figures=tuple(key_figures),
        status=common.objective_status_text(loader, params, [*CHAIN_OBJECTIVES, *ACTIVITY]),
        source=source,
        demo=any(chart.demo for chart in blocks if isinstance(chart, Chart)),
        notices=(*notices, *common.secret_notices(loader, params, EVICTION_CHAIN)),
    )


def _funnel(
    params: ViewParams,
    loader: Loader,
    chain: pd.DataFrame,
    source: str,
    rate: tuple[pd.Series, Target | None] | None,
    yearly_title: str | None,
) -> Chart:
    """The five stages over the period, with the plan's ceiling on CQL per assignation when it has one:
    its status in the words of the plan's evaluation (see :func:`rate_verdict`)."""
    data = pd.DataFrame(
        {
            "Étape": chain["label"],
            "Valeur": chain["value"],
            "Taux depuis l'étape précédente (%)": chain["rate_from_previous"].round(1),
        }
    )
    verdict = rate_verdict(params, rate[1]) if rate is not None and rate[1] is not None else None
    note = None
    if rate is not None:
        objective = rate[0]
        note = f"Objectif du plan, fiche-action {objective['action_code']} : {objective['label']}"
        if verdict is None:
            note += f" ; {_set_for(loader, objective)}."
        elif yearly_title is not None:
            note += f". Statut de chaque année du plan (tableau des objectifs) : graphique « {yearly_title.split(' — ')[0]} »."
    return Chart(
        "chaine-expulsion",
        f"De l'assignation à l'expulsion — {params.territory_name}, {params.period.label()}",
        chain_funnel(chain, verdict=verdict, presentation=params.presentation),
        data,
        "procédures (taux en % de l'étape précédente)",
        tuple(chain["indicator_code"]),
        common.is_demo(chain),
        source=source,
        note=note,
        key_figure=KeyFigure("Expulsions effectives", fr_auto(chain["value"].iloc[-1])),
    )


def rate_verdict(params: ViewParams, target: Target) -> FunnelVerdict:
    """The funnel's box for the plan's ceiling on CQL per assignation: the status of the latest plan
    year of the period as the plan's evaluation (the objective status table) gives it, never judged
    again here nor on the period's total (« 2012 : 41,6 % / 33,0 % : non atteint »), and how many of
    the period's plan years were met (« tenu 0 année sur 5 (2008–2012) »)."""
    ceiling = float(target.line["value"].iloc[0])
    objective = f"Objectif du plan : CQL / assignations ≤ {fr_percent(ceiling, 0)}"
    years = target.years if target.years is not None else pd.DataFrame()
    if years.empty or target.verdict is None:
        inside = any(params.in_plan(year) for year in range(params.first_year, params.last_year + 1))
        words = (
            "aucune année du plan mesurée sur la période" if inside else f"hors période du plan {params.plan_years_label} : pas de statut"
        )
        return FunnelVerdict(objective, words, ObjectiveStatus.PAS_DE_DONNEES)
    ordered = years.sort_values("period_start")
    statuses = list(ordered["status"])
    judged = [status for status in statuses if status in (ObjectiveStatus.ATTEINT, ObjectiveStatus.NON_ATTEINT)]
    detail = None
    if len(statuses) > 1 and judged:
        met = sum(status == ObjectiveStatus.ATTEINT for status in judged)
        first, last = ordered["period_start"].iloc[0].year, ordered["period_start"].iloc[-1].year
        detail = f"tenu {fr_number(met)} année{'s' if met > 1 else ''} sur {fr_number(len(judged))} ({first}–{last})"
    return FunnelVerdict(objective, target.verdict, str(statuses[-1]), detail)


def _charted_objectives(loader: Loader, params: ViewParams, indicators: Sequence[str]) -> pd.DataFrame:
    """The plan's objectives on the page's indicators that a yearly chart can draw (a level per year:
    not milestones nor totals over the plan), in the plan's order."""
    shown = common.page_objectives(loader, params.plan, indicators)
    return shown[~shown["kind"].isin(list(common.NOT_DRAWN))]


def _keyed(objectives: pd.DataFrame) -> list[pd.Series]:
    """The objectives' rows, each with its chart's key in ``chart_key``: « expulsions-assignations »,
    « ccapex-diagnostics_sociaux » (« …-2 » for a second objective on the same indicator)."""
    rows: list[pd.Series] = []
    counts: dict[str, int] = {}
    for _, row in objectives.iterrows():
        code = str(row["indicator_code"])
        key = f"{'ccapex' if code in ACTIVITY else 'expulsions'}-{code}"
        counts[key] = counts.get(key, 0) + 1
        keyed = row.copy()
        keyed["chart_key"] = key if counts[key] == 1 else f"{key}-{counts[key]}"
        rows.append(keyed)
    return rows


def _objective_chart(
    params: ViewParams,
    loader: Loader,
    labels: dict[str, str],
    objective: pd.Series,
    drawn: tuple[Target | None, pd.DataFrame | None],
) -> Chart:
    """One objective's indicator per year against it, as on the other pages: the zone where it is
    met, each plan year marked with the evaluation's status, the latest verdict in the legend
    (where the objective applies as written: the territory it names)."""
    indicator = str(objective["indicator_code"])
    target, trajectory = drawn
    series = loader.indicator_series((indicator,), (params.territory,), params.period, Granularity.YEAR.value)
    unit = str(common.catalogue(loader).at[indicator, "unit"])
    shown_unit = unit if unit == "%" else f"{unit} par an"
    figure = (
        trend_figure(
            series,
            names={**labels, params.territory: params.territory_name},
            unit=shown_unit,
            objective=target,
            trajectory=trajectory,
            period=(params.period.start, params.period.end),
            presentation=params.presentation,
        )
        if not series.empty
        else None
    )
    return Chart(
        str(objective["chart_key"]),
        f"{labels[indicator]} par an — {params.territory_name}, {params.period.label()}",
        figure,
        common.series_table(series, Granularity.YEAR),
        shown_unit,
        (indicator,),
        common.is_demo(series),
        source=common.source_line(loader, [indicator], params.departement),
        note=_objective_note(loader, params, objective, target),
        key_figure=common.last_value(series, labels[indicator], unit if unit == "%" else ""),
        message=None if figure is not None else "Aucune donnée sur cette période.",
    )


def _objective_note(loader: Loader, params: ViewParams, objective: pd.Series, target: Target | None) -> str:
    """Where the objective comes from (the plan's fiche-action), and how the chart reads it."""
    actions = loader.plan_structure(params.plan)
    action = actions[actions["code"] == objective["action_code"]]
    where = f"fiche-action {objective['action_code']}"
    if not action.empty:
        where += f" « {shorten(str(action['title'].iloc[0]), FICHE_TITLE_WIDTH)} »"
    if target is None:
        return f"Objectif du plan, {where} : {objective['label']} ; {_set_for(loader, objective)}."
    reading = "zone verte : où il est atteint ; chaque année du plan marquée selon son statut au tableau des objectifs"
    if objective["kind"] in BASELINE_KINDS and pd.isna(objective["target_value"]):
        side = "sous" if objective["kind"] == ObjectiveKind.DECREASE_FROM_BASELINE else "au-dessus de"
        reading = f"ligne : la référence ({_baseline_year(objective)}), à passer {side} chaque année ; " + reading
    return f"Objectif du plan, {where} ; {reading}."


def _set_for(loader: Loader, objective: pd.Series) -> str:
    """Why a territory's chart does not draw a plan-wide objective: « fixé pour Sarthe, tracé sur ses graphiques »."""
    code = objective["territory_code"]
    name = loader.territory_name(str(code)) if isinstance(code, str) and code else "le département"
    return f"fixé pour {name}, tracé sur ses graphiques"


def _baseline_year(objective: pd.Series) -> str:
    """« 2007, année de référence supposée » (or the plan's own baseline year)."""
    start = objective["baseline_start"]
    year = str(start.year) if pd.notna(start) else "référence du plan"
    return f"{year}, année de référence supposée" if bool(objective.get("baseline_assumed")) else year


def _seasonality(params: ViewParams, loader: Loader, labels: dict[str, str]) -> Chart:
    """One stage's months as a heatmap (years down, months across), the trêve hivernale framed."""
    indicator = chosen_seasonality(params)
    label = labels[indicator]
    monthly = loader.indicator_series((indicator,), (params.territory,), params.period, Granularity.MONTH.value)
    data = common.series_table(monthly, Granularity.MONTH)
    figure = (
        seasonality_heatmap(monthly, unit=label.split(" (")[0].lower(), presentation=params.presentation) if not monthly.empty else None
    )
    return Chart(
        "saisonnalite",
        f"{label} par mois — {params.territory_name}, {params.period.label()}",
        figure,
        data,
        f"{label.lower()} par mois",
        (indicator,),
        common.is_demo(monthly),
        source=common.source_line(loader, [indicator], params.departement),
        note=f"Aucune expulsion ne peut être exécutée pendant la trêve hivernale ({TREVE.text}), prolongée en 2020 et 2021.",
        message=None if figure is not None else "Aucune série mensuelle sur cette période.",
    )


def _activity(
    params: ViewParams,
    loader: Loader,
    labels: dict[str, str],
    objectives: list[tuple[pd.Series, tuple[Target | None, pd.DataFrame | None]]],
) -> list[Chart]:
    """The CCAPEX's files, the social diagnoses and the households at the hearing, per year: each
    indicator the plan sets an objective on in its own chart against it (Isère 4.1, 4.2), the
    others together; nothing without data."""
    series = loader.indicator_series(ACTIVITY, (params.territory,), params.period, Granularity.YEAR.value)
    if series.empty:
        return []
    own = [(row, drawn) for row, drawn in objectives if (series["indicator_code"] == row["indicator_code"]).any()]
    apart = {str(row["indicator_code"]) for row, _ in own}
    rest = tuple(code for code in ACTIVITY if code not in apart)
    together = series[series["indicator_code"].isin(list(rest))]
    charts: list[Chart] = []
    if not together.empty:
        names = {**labels, params.territory: params.territory_name}
        single = together["indicator_code"].nunique() == 1
        code = str(together["indicator_code"].iloc[0])
        unit = f"{str(common.catalogue(loader).at[code, 'unit'])} par an" if single else "dossiers / ménages"
        charts.append(
            Chart(
                "ccapex",
                f"{f'{labels[code]} par an' if single else ACTIVITY_TITLE} — {params.territory_name}, {params.period.label()}",
                trend_figure(
                    together, names=names, unit=unit, period=(params.period.start, params.period.end), presentation=params.presentation
                ),
                common.series_table(together, Granularity.YEAR, indicators=labels),
                unit if single else "dossiers, diagnostics, ménages par an",
                rest,
                common.is_demo(together),
                source=common.source_line(loader, rest, params.departement),
            )
        )
    charts += [_objective_chart(params, loader, labels, row, drawn) for row, drawn in own]
    return charts
