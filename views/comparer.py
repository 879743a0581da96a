"""Comparer les territoires : carte, classement, petites courbes et écart à l'objectif au prorata."""

from __future__ import annotations

import pandas as pd

from data_access.french import fr_number
from data_access.vocabulary import LEVEL_SINGULAR, PAGE_INFO, Granularity, Level, ObjectiveKind, Page, TerritorialRule
from figures.ranking import gap_to_objective_bar, ranking_bar
from figures.small_multiples import small_multiples
from views import common
from views.loader import Loader
from views.model import Block, Chart, KeyFigure, Text, View
from views.params import ViewParams

TITLE = PAGE_INFO[Page.COMPARER].page_title
DEFAULT_INDICATOR = "assignations"
MODES = {"rate": "Pour 1 000 ménages", "value": "Valeur", "per_inhabitants": "Pour 1 000 habitants"}
MODE_UNITS = {"rate": "pour 1 000 ménages", "per_inhabitants": "pour 1 000 habitants"}
DEPARTEMENT_REFERENCE = {"value": "departement_value", "rate": "departement_rate", "per_inhabitants": "departement_per_inhabitants"}


def chosen_indicator(params: ViewParams, choices: dict[str, str]) -> str:
    return next((code for code in params.indicators if code in choices), DEFAULT_INDICATOR)


def modes(is_ratio: bool, unit: str) -> dict[str, str]:
    """The display modes offered for an indicator (a ratio is never divided again), the first one the default."""
    if is_ratio:
        return {"value": f"Valeur ({unit})"}
    return {"rate": MODES["rate"], "value": f"Valeur ({unit})", "per_inhabitants": MODES["per_inhabitants"]}


def chosen_mode(params: ViewParams, offered: dict[str, str]) -> str:
    return params.mode if params.mode in offered else next(iter(offered))


def build(params: ViewParams, loader: Loader) -> View:
    """The comparison of the level's territories: map, ranking, small multiples, gap to a yearly objective."""
    choices = common.chart_indicators(loader)
    indicator = chosen_indicator(params, choices)
    catalogue = common.catalogue(loader)
    unit = str(catalogue.at[indicator, "unit"])
    is_ratio = isinstance(catalogue.at[indicator, "numerator_code"], str)
    mode = chosen_mode(params, modes(is_ratio, unit))
    label = choices[indicator]
    filters = f"{common.filters_text(params, level=True)} · {MODES[mode].lower()}"
    values = loader.level_values(indicator, params.level.value, params.departement, params.period)
    if values["value"].isna().all():
        return View(Page.COMPARER, TITLE, filters, empty=f"{label} au niveau choisi sur {params.period.label()}")
    values = values.assign(per_inhabitants=values["value"] / values["population"].where(values["population"] > 0) * 1000)
    shown_unit = MODE_UNITS.get(mode, unit)
    reference = values.attrs.get(DEPARTEMENT_REFERENCE[mode])
    title = f"{label} ({shown_unit}) par {LEVEL_SINGULAR[params.level]} — {params.period.label()}"
    decimals = 0 if mode == "value" and not is_ratio else 1
    table = common.level_table(values, label, per_inhabitants=True, rank_by=mode)
    demo = common.is_demo(values)
    source = common.source_line(loader, [indicator, "menages"], params.departement)
    selected = None if params.is_departement else params.territory
    figure, message = common.level_map(
        loader,
        params,
        values,
        value_column=mode,
        unit=shown_unit if mode != "value" else (unit if unit in ("%", "€") else ""),
        title=title,
        indicator_label=label,
        departement_value=reference,
    )
    place = params.departement_name if selected is None else params.territory_name
    place_value = reference if selected is None else _value_of(values, selected, mode)
    key_figure = KeyFigure(f"{place} ({shown_unit})", fr_number(place_value, decimals))
    blocks: list[Block] = [
        Chart("map", title, figure, table, shown_unit, (indicator,), demo, source=source, key_figure=key_figure, message=message),
        Chart(
            "ranking",
            f"Classement — {title}",
            ranking_bar(
                values.assign(rate=values[mode]),
                value_column="rate",
                unit=shown_unit,
                selected=selected,
                departement_value=reference,
                departement_label=params.departement_name,
                presentation=params.presentation,
            ),
            table.sort_values(common.RANK_HEADERS[mode]),
            shown_unit,
            (indicator,),
            demo,
            source=source,
            key_figure=key_figure,
        ),
    ]
    # a year per panel: with one year, each panel would be a single point
    if params.level in (Level.TERRITOIRE, Level.ARRONDISSEMENT) and params.first_year != params.last_year:
        blocks.append(_small_multiples(params, loader, indicator, label, unit, values, source))
    blocks.extend(_gaps(params, loader, indicator, values, source))
    ranked = values.dropna(subset=[mode]).sort_values(mode, ascending=False)
    key_figures = [KeyFigure(f"{params.departement_name} ({shown_unit})", fr_number(reference, decimals))] if reference is not None else []
    if not ranked.empty:
        key_figures.append(KeyFigure(f"Le plus élevé : {ranked['name'].iloc[0]}", fr_number(float(ranked[mode].iloc[0]), decimals)))
        key_figures.append(KeyFigure(f"Le plus bas : {ranked['name'].iloc[-1]}", fr_number(float(ranked[mode].iloc[-1]), decimals)))
    return View(
        Page.COMPARER,
        TITLE,
        filters,
        tuple(blocks),
        key_figures=tuple(key_figures),
        status=common.objective_status_text(loader, params, [indicator]),
        source=source,
        demo=demo,
    )


def _value_of(values: pd.DataFrame, code: str, column: str) -> float | None:
    row = values.loc[values["territory_code"] == code, column]
    return None if row.empty or pd.isna(row.iloc[0]) else float(row.iloc[0])


def _small_multiples(params: ViewParams, loader: Loader, indicator: str, label: str, unit: str, values: pd.DataFrame, source: str) -> Chart:
    codes = tuple(values["territory_code"])
    series = loader.indicator_series((indicator,), codes, params.period, Granularity.YEAR.value)
    names = dict(zip(values["territory_code"], values["name"], strict=True))
    data = common.series_table(series, Granularity.YEAR, territories=names)
    return Chart(
        "multiples",
        f"{label} par année et par territoire (même échelle) — {params.period.label()}",
        small_multiples(series, names=names, unit=unit, presentation=params.presentation) if not series.empty else None,
        data,
        unit,
        (indicator,),
        common.is_demo(series),
        source=source,
        message=None if not series.empty else "Aucune série annuelle sur cette période.",
    )


def _gaps(params: ViewParams, loader: Loader, indicator: str, values: pd.DataFrame, source: str) -> list[Block]:
    """Each territory's gap to a yearly plan-wide objective shared pro rata of households (one year only)."""
    objective = common.page_objectives(loader, params.plan, [indicator], [ObjectiveKind.MIN_PER_YEAR, ObjectiveKind.MAX_PER_YEAR])
    # only a count the plan shares among territories (rule « prorata ») has a gap per territory
    objective = objective[(objective["territory_code"] == params.departement) & (objective["territorial_rule"] == TerritorialRule.PRORATA)]
    if objective.empty:
        return []
    if params.first_year != params.last_year:
        return [Text("Choisissez une seule année pour voir l'écart de chaque territoire à l'objectif annuel au prorata.", caption=True)]
    households = float(values["households"].sum())
    if not households:
        return []
    target = float(objective["target_value"].iloc[0])
    gaps = values.assign(target=target * values["households"] / households)[["territory_code", "name", "value", "target"]]
    data = pd.DataFrame({"Territoire": gaps["name"], "Valeur": gaps["value"], "Cible au prorata": gaps["target"].round(1)})
    return [
        Chart(
            "gaps",
            f"Écart à l'objectif au prorata des ménages — {objective['label'].iloc[0]}, {params.period.label()}",
            gap_to_objective_bar(gaps, presentation=params.presentation),
            data,
            "% d'écart à la cible au prorata",
            (indicator,),
            common.is_demo(values),
            source=source,
        )
    ]
