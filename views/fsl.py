"""Aides FSL : ménages aidés et montants par type d'aide, montant moyen, demandes face à l'objectif du plan."""

from __future__ import annotations

import pandas as pd

from data_access.french import fr_number, fr_signed_percent, fr_value
from data_access.vocabulary import LEVEL_PLURAL, LEVEL_SINGULAR, PAGE_INFO, Granularity, Page
from figures.aids import aid_bars
from figures.ranking import ranking_bar
from figures.trends import trend_figure
from views import common
from views.loader import Loader
from views.model import Block, Chart, KeyFigure, View
from views.params import ViewParams

TITLE = PAGE_INFO[Page.FSL].page_title
TYPES = ("acces", "maintien", "energie", "eau", "telephone")
HOUSEHOLDS = tuple(f"fsl_{t}_menages" for t in TYPES)
AMOUNTS = tuple(f"fsl_{t}_montant" for t in TYPES)
AVERAGES = tuple(f"fsl_{t}_montant_moyen" for t in TYPES)
REQUESTS = ("fsl_demandes_charges_courantes", "fsl_demandes_energie")
REQUEST_TITLES = ("Demandes d'aide pour charges courantes", "Dont demandes d'aide pour l'énergie")
ENERGY = "fsl_energie_menages"
RATE_UNIT = "ménages aidés pour 1 000 ménages"
AID_NOTES = {
    "menages": "Chaque barre compte les ménages aidés par type d'aide : un ménage aidé pour deux types d'aide compte "
    "dans chacun, la hauteur totale compte donc des aides accordées, non des ménages distincts.",
    "montants": "Montants versés en euros par type d'aide, additionnés sur l'année ; un montant ne compte pas des ménages.",
}


def build(params: ViewParams, loader: Loader) -> View:
    """The FSL's aids per type (households, amounts, average amount), the requests against the plan, the energy ranking."""
    labels = common.labels(loader)
    filters = common.filters_text(params, granularity=Granularity.YEAR)
    yearly = loader.indicator_series(HOUSEHOLDS + AMOUNTS + AVERAGES, (params.territory,), params.period, Granularity.YEAR.value)
    if yearly.empty:
        return View(Page.FSL, TITLE, filters, empty=f"les aides FSL à {params.territory_name} sur {params.period.label()}")
    source = common.source_line(loader, HOUSEHOLDS, params.departement)
    blocks: list[Block] = [
        _aids(params, loader, yearly, labels, HOUSEHOLDS, "menages", "Ménages aidés", "ménages aidés"),
        _aids(params, loader, yearly, labels, AMOUNTS, "montants", "Montants versés", "euros"),
        _aids(params, loader, yearly, labels, AVERAGES, "montant-moyen", "Montant moyen par ménage aidé", "euros par ménage aidé"),
        *_requests(params, loader, labels),
        _energy_ranking(params, loader),
    ]
    households = yearly[yearly["indicator_code"].isin(HOUSEHOLDS)]
    return View(
        Page.FSL,
        TITLE,
        filters,
        tuple(blocks),
        key_figures=tuple(_key_figures(households, labels)),
        status=common.objective_status_text(loader, params, HOUSEHOLDS),
        source=source,
        demo=common.is_demo(yearly),
        notices=common.secret_notices(loader, params, HOUSEHOLDS + AMOUNTS),
    )


def _key_figures(households: pd.DataFrame, labels: dict[str, str]) -> list[KeyFigure]:
    """The households helped in the last year, their change on a year, and the first aid type that year."""
    if households.empty:
        return []
    totals = households.groupby("period_start")["value"].sum().sort_index()
    # a household helped for two aid types counts in each: the total counts aids, not distinct households
    figures = [KeyFigure(f"Aides accordées en {totals.index[-1].year} (toutes aides)", fr_number(float(totals.iloc[-1])))]
    if len(totals) > 1 and totals.iloc[-2]:
        figures.append(KeyFigure("Évolution sur un an", fr_signed_percent(100 * (totals.iloc[-1] - totals.iloc[-2]) / totals.iloc[-2])))
    last = households[households["period_start"] == totals.index[-1]].sort_values("value", ascending=False).head(1)
    for row in last.itertuples():
        figures.append(KeyFigure(f"Première aide : {labels[str(row.indicator_code)].split(' :')[0]}", fr_number(float(row.value))))  # type: ignore[arg-type]
    return figures


def _aids(
    params: ViewParams,
    loader: Loader,
    yearly: pd.DataFrame,
    labels: dict[str, str],
    codes: tuple[str, ...],
    key: str,
    what: str,
    unit: str,
) -> Chart:
    """One measure of the aids per type and year: stacked bars for households and amounts, lines for the averages."""
    part = yearly[yearly["indicator_code"].isin(codes)]
    averages = codes == AVERAGES
    if part.empty:
        figure = None
    elif averages:
        figure = trend_figure(
            part,
            names={**labels, params.territory: params.territory_name},
            unit=unit,
            period=(params.period.start, params.period.end),
            presentation=params.presentation,
        )
    else:
        figure = aid_bars(part, names=labels, unit=unit, presentation=params.presentation)
    data = common.series_table(part, Granularity.YEAR, indicators=labels, indicator_header="Aide")
    key_figure = _average_amount(yearly, what) if averages else common.last_value(part, what, "€" if codes == AMOUNTS else "")
    return Chart(
        f"fsl-{key}",
        f"{what} par type d'aide — {params.territory_name}, {params.period.label()}",
        figure,
        data,
        unit,
        codes,
        common.is_demo(part),
        source=common.source_line(loader, codes, params.departement),
        note=AID_NOTES.get(key),
        key_figure=key_figure,
        message=None if figure is not None else "Aucune donnée sur cette période.",
    )


def _average_amount(yearly: pd.DataFrame, what: str) -> KeyFigure | None:
    """The last year's amount paid per household helped, all aid types together (a ratio of sums, not a sum of averages)."""
    amounts = yearly[yearly["indicator_code"].isin(AMOUNTS)].dropna(subset=["value"])
    households = yearly[yearly["indicator_code"].isin(HOUSEHOLDS)].dropna(subset=["value"])
    if amounts.empty or households.empty:
        return None
    last = min(amounts["period_start"].max(), households["period_start"].max())
    helped = float(households.loc[households["period_start"] == last, "value"].sum())
    if not helped:
        return None
    paid = float(amounts.loc[amounts["period_start"] == last, "value"].sum())
    return KeyFigure(f"{what} ({common.year_or_month(last)})", fr_value(paid / helped, "€"))


def _requests(params: ViewParams, loader: Loader, labels: dict[str, str]) -> list[Chart]:
    """One chart per kind of request (everyday charges, and energy among them) per year, each against
    the plan's objective on it (« 10 248 demandes dont 6 148 pour de l'énergie »): one target zone
    per chart, so that each verdict reads on its own series."""
    series = loader.indicator_series(REQUESTS, (params.territory,), params.period, Granularity.YEAR.value)
    objectives = common.page_objectives(loader, params.plan, REQUESTS)
    objectives = objectives.drop_duplicates("indicator_code")  # one objective per request kind in the plans
    targets = dict(
        zip(objectives["indicator_code"], common.objective_targets(loader, params, objectives, Granularity.YEAR.value), strict=True)
    )
    labels_of = dict(zip(objectives["indicator_code"], objectives["label"], strict=True))
    charts = []
    for code, key, title in zip(REQUESTS, ("fsl-demandes", "fsl-demandes-energie"), REQUEST_TITLES, strict=True):
        own = series[series["indicator_code"] == code]
        target, trajectory = targets.get(code, (None, None))
        figure = (
            trend_figure(
                own,
                names={**labels, params.territory: params.territory_name},
                unit="demandes",
                objective=target,
                trajectory=trajectory,
                period=(params.period.start, params.period.end),
                presentation=params.presentation,
            )
            if not own.empty
            else None
        )
        charts.append(
            Chart(
                key,
                f"{title} — {params.territory_name}, {params.period.label()}",
                figure,
                common.series_table(own, Granularity.YEAR, indicators=labels),
                "demandes par an",
                (code,),
                common.is_demo(own),
                source=common.source_line(loader, [code], params.departement),
                note=f"Objectif du plan : {labels_of[code]}" if code in labels_of else None,
                message=None if figure is not None else "Aucune demande d'aide enregistrée sur cette période.",
            )
        )
    return charts


def _energy_ranking(params: ViewParams, loader: Loader) -> Chart:
    """The level's territories ranked by energy aids per 1 000 households over the period."""
    values = loader.level_values(ENERGY, params.level.value, params.departement, params.period)
    has_data = not values["value"].isna().all()
    # as on Comparer: no rate for a territory under the small-number thresholds, the 15 highest and lowest drawn
    ranked = common.without_small_rates(values)
    figure = (
        ranking_bar(
            ranked,
            value_column="rate",
            unit=RATE_UNIT,
            selected=None if params.is_departement else params.territory,
            departement_value=None,
            presentation=params.presentation,
            limit=common.RANKING_LIMIT,
            level_word=LEVEL_PLURAL[params.level],
        )
        if has_data
        else None
    )
    data = common.level_table(values, "Ménages aidés")
    return Chart(
        "fsl-classement",
        f"Aides FSL énergie pour 1 000 ménages par {LEVEL_SINGULAR[params.level]} — {params.period.label()}",
        figure,
        data,
        RATE_UNIT,
        (ENERGY,),
        common.is_demo(values),
        source=common.source_line(loader, [ENERGY, "menages"], params.departement),
        note=common.small_numbers_note(params.level),
        message=None if has_data else "Aucune aide FSL énergie au niveau choisi sur cette période.",
    )
