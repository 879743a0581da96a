"""Procédure d'expulsion : la chaîne assignations → expulsions effectives, sa saisonnalité, l'activité de la CCAPEX."""

from __future__ import annotations

import pandas as pd

from data_access.french import fr_auto, fr_number
from data_access.queries import EVICTION_CHAIN
from data_access.vocabulary import PAGE_INFO, TREVE, Granularity, ObjectiveKind, Page
from figures.chain import chain_funnel
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


def chosen_seasonality(params: ViewParams) -> str:
    """The indicator whose months are shown: the URL's ``saisonnalite`` when it is one of the chain's, else expulsions."""
    return params.seasonality if params.seasonality in SEASONAL else DEFAULT_SEASONALITY


def build(params: ViewParams, loader: Loader) -> View:
    """The eviction chain as a funnel against the plan's CQL-rate ceiling, one stage's months, the CCAPEX's activity."""
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
    seasonal = _seasonality(params, loader, labels)
    blocks: list[Block] = [_funnel(params, loader, chain, source), seasonal]
    activity = _activity(params, loader, labels)
    if activity is not None:
        blocks.append(activity)
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
        status=common.objective_status_text(loader, params, [*EVICTION_CHAIN, CQL_RATE]),
        source=source,
        demo=any(chart.demo for chart in (blocks[0], seasonal, activity) if isinstance(chart, Chart)),
        notices=notices,
    )


def _funnel(params: ViewParams, loader: Loader, chain: pd.DataFrame, source: str) -> Chart:
    """The five stages over the period, with the plan's ceiling on CQL per assignation when it has one."""
    ratio = common.page_objectives(loader, params.plan, [CQL_RATE], [ObjectiveKind.RATIO_MAX]).head(1)
    target = float(ratio["target_value"].iloc[0]) if not ratio.empty else None
    data = pd.DataFrame(
        {
            "Étape": chain["label"],
            "Valeur": chain["value"],
            "Taux depuis l'étape précédente (%)": chain["rate_from_previous"].round(1),
        }
    )
    return Chart(
        "chaine-expulsion",
        f"De l'assignation à l'expulsion — {params.territory_name}, {params.period.label()}",
        chain_funnel(chain, objective_ratio=target, presentation=params.presentation),
        data,
        "procédures (taux en % de l'étape précédente)",
        tuple(chain["indicator_code"]),
        common.is_demo(chain),
        source=source,
        note=f"Objectif du plan : {ratio['label'].iloc[0]}" if target is not None else None,
        key_figure=KeyFigure("Expulsions effectives", fr_auto(chain["value"].iloc[-1])),
    )


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


def _activity(params: ViewParams, loader: Loader, labels: dict[str, str]) -> Chart | None:
    """The CCAPEX's files, the social diagnoses and the households at the hearing, per year (None without data)."""
    series = loader.indicator_series(ACTIVITY, (params.territory,), params.period, Granularity.YEAR.value)
    if series.empty:
        return None
    names = {**labels, params.territory: params.territory_name}
    data = common.series_table(series, Granularity.YEAR, indicators=labels)
    return Chart(
        "ccapex",
        f"Activité de prévention et de la CCAPEX — {params.territory_name}, {params.period.label()}",
        trend_figure(series, names=names, unit="dossiers / ménages", presentation=params.presentation),
        data,
        "dossiers, diagnostics, ménages par an",
        ACTIVITY,
        common.is_demo(series),
        source=common.source_line(loader, ACTIVITY, params.departement),
    )
