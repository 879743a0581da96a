"""Comparer les territoires : carte, classement, petites courbes et écart à l'objectif au prorata."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from data_access.french import fr_number
from data_access.vocabulary import LEVEL_PLURAL, LEVEL_SINGULAR, PAGE_INFO, Granularity, Level, ObjectiveKind, Page, TerritorialRule
from figures.ranking import gap_to_objective_bar, ranking_bar, shown_rows
from figures.small_multiples import small_multiples
from geo.classes import sequential_classes
from views import common, secret
from views.loader import Loader
from views.model import Block, Chart, KeyFigure, Table, Text, View
from views.params import ViewParams

TITLE = PAGE_INFO[Page.COMPARER].page_title
DEFAULT_INDICATOR = "assignations"
# the radio's words name what a value is divided by, not the scale: per 1 000 or per 10 000 is the
# view's choice (common.rate_scale), written in its titles, legend, table and key figures
MODES = {"rate": "Rapporté aux ménages", "value": "Valeur", "per_inhabitants": "Rapporté aux habitants"}
RATE_MODES = ("rate", "per_inhabitants")
DEPARTEMENT_REFERENCE = {"value": "departement_value", "rate": "departement_rate", "per_inhabitants": "departement_per_inhabitants"}
TOTAL_LABEL = "Total sur la période"  # the page's option (?cumul=1); unticked, yearly averages


def chosen_indicator(params: ViewParams, choices: dict[str, str]) -> str:
    return next((code for code in params.indicators if code in choices), DEFAULT_INDICATOR)


def modes(is_ratio: bool, unit: str) -> dict[str, str]:
    """The display modes offered for an indicator (a ratio is never divided again), the first one the default."""
    if is_ratio:
        return {"value": f"Valeur ({unit})"}
    return {"rate": MODES["rate"], "value": f"Valeur ({unit})", "per_inhabitants": MODES["per_inhabitants"]}


def chosen_mode(params: ViewParams, offered: dict[str, str]) -> str:
    return params.mode if params.mode in offered else next(iter(offered))


def offers_total(params: ViewParams, is_ratio: bool) -> bool:
    """Whether the view can show totals instead of yearly averages: a count over several years (a
    ratio over a period is already one number for the whole period)."""
    return not is_ratio and params.first_year != params.last_year


def is_stock(catalogue: pd.DataFrame, indicator: str) -> bool:
    """Whether the indicator counts a stock at a date (``stock: true`` in the catalogue): one year
    of it is shown, never a total or an average over years."""
    return bool(catalogue.at[indicator, "stock"])


def per_year(params: ViewParams, is_ratio: bool) -> bool:
    """Counts and rates over several years are yearly averages, unless totals are asked (``cumul=1``)."""
    return offers_total(params, is_ratio) and not params.total


def period_words(params: ViewParams, is_ratio: bool) -> str:
    """« moyenne annuelle 2021–2025 », « total 2021–2025 », or the year alone (« 2024 »)."""
    if not offers_total(params, is_ratio):
        return params.period.label()
    return f"{'moyenne annuelle' if per_year(params, is_ratio) else 'total'} {params.period.label()}"


def build(params: ViewParams, loader: Loader) -> View:
    """The comparison of the level's territories: map, ranking (the highest and lowest, the full
    list in a table), small multiples, gap to a yearly objective.

    Over several years, counts and rates are yearly averages (totals with ``cumul=1``); a rate
    is per 1 000, or per 10 000 when the département's reads below 1 (``common.rate_scale``), and
    not computed under the small-number thresholds (``common.without_small_rates``)."""
    choices = common.chart_indicators(loader)
    indicator = chosen_indicator(params, choices)
    catalogue = common.catalogue(loader)
    unit = str(catalogue.at[indicator, "unit"])
    is_ratio = isinstance(catalogue.at[indicator, "numerator_code"], str)
    mode = chosen_mode(params, modes(is_ratio, unit))
    label = choices[indicator]
    stock_note = None
    if is_stock(catalogue, indicator) and params.first_year != params.last_year:
        # a count at a date (places au 31 décembre): its last year, never a sum nor an average of years
        stock_note = (
            f"{label} : stock au 31 décembre, non cumulable ; la carte montre la dernière année de la période "
            f"({params.last_year}), jamais une somme ni une moyenne d'années."
        )
        params = replace(params, first_year=params.last_year, total=False)
    raw = loader.level_values(indicator, params.level.value, params.departement, params.period)
    if raw["value"].isna().all():
        filters = f"{common.filters_text(params, level=True)} · {MODES[mode].lower()}"
        return View(Page.COMPARER, TITLE, filters, empty=f"{label} au niveau choisi sur {params.period.label()}")
    years = params.last_year - params.first_year + 1 if per_year(params, is_ratio) else 1
    # a ratio's cases are its denominator's (the assignations of « CQL par assignation »)
    denominator = catalogue.at[indicator, "denominator_code"]
    cases = loader.level_values(str(denominator), params.level.value, params.departement, params.period) if is_ratio else None
    values, scale = _measures(raw, years, mode, cases)
    values = secret.hide_secret(values)  # a value wholly secret is « s », not a 0
    shown_unit = common.rate_unit(mode, scale) if mode in RATE_MODES else unit
    map_unit = shown_unit if mode != "value" else (unit if unit in ("%", "€") else "")
    when = period_words(params, is_ratio)
    filters = f"{common.filters_text(params, level=True)} · {shown_unit if mode in RATE_MODES else 'valeur'}" + (
        f", {when.rsplit(' ', 1)[0]}" if offers_total(params, is_ratio) else ""
    )
    reference = values.attrs.get(DEPARTEMENT_REFERENCE[mode])
    title = f"{label} ({shown_unit}) par {LEVEL_SINGULAR[params.level]} — {when}"
    decimals = 0 if mode == "value" and not is_ratio and years == 1 else 1
    # the table's title names the indicator: its count columns by their unit (« Assignations par an »)
    noun = unit.capitalize() if unit not in ("%", "€", "") else label
    table = common.level_table(
        values,
        f"{noun} par an (moyenne)" if years > 1 else label,
        per_inhabitants=True,
        rank_by=mode,
        scale=scale,
        total_header=f"{noun} (total {params.period.label()})" if years > 1 else None,
    )
    table = secret.mark_level_table(table, values, common.REMARK_HEADER)
    secret_note = secret.secret_note(
        values, int(raw.attrs.get("departement_secret", 0)), int(raw.attrs.get("departement_secret_denominator", 0))
    )
    demo = common.is_demo(raw)
    source = common.source_line(loader, [indicator, "menages"], params.departement)
    selected = None if params.is_departement else params.territory
    classes = sequential_classes(values[mode], unit=map_unit)
    colours = {str(code): classes.colours[c] for code, c in zip(values["territory_code"], classes.index, strict=True) if c >= 0}
    figure, message = common.level_map(
        loader,
        params,
        values,
        value_column=mode,
        unit=map_unit,
        title=title,
        indicator_label=label,
        departement_value=reference,
        classes=classes,
    )
    small = int(values["small"].sum())
    plural = LEVEL_PLURAL[params.level]
    table_note = (
        f"{common.small_numbers_note(params.level)[:-1]} : {fr_number(small)} {plural} sur {fr_number(len(values))}." if small else None
    )
    small_note = table_note if mode in RATE_MODES or is_ratio else None  # a count is drawn whatever its size
    map_note = " ".join(n for n in (stock_note, small_note, secret_note) if n) or None
    # a key figure's unit, short: the chart's title says the period (« pour 1 000 ménages par an »)
    figure_unit = (shown_unit + (" par an" if years > 1 else f", {when}" if offers_total(params, is_ratio) else "")).replace(
        " 000", "\u202f000"
    )
    key_figure = _key_figure(params, values, mode, figure_unit, decimals, reference, selected)
    ranking = ranking_bar(
        values.assign(rate=values[mode]),
        value_column="rate",
        unit=shown_unit,
        selected=selected,
        departement_value=reference,
        departement_label=params.departement_name,
        presentation=params.presentation,
        colours=colours,
        limit=common.RANKING_LIMIT,
        level_word=plural,
    )
    drawn = [code for code in shown_rows(values, mode, selected, common.RANKING_LIMIT, plural)["territory_code"] if isinstance(code, str)]
    cut = len(drawn) < len(values)
    rank_header = next(str(column) for column in table.columns if str(column).startswith("Rang ("))
    ranked_table = table.sort_values([rank_header, "Territoire"], na_position="last", kind="stable")
    blocks: list[Block] = [
        Chart(
            "map",
            title,
            figure,
            table,
            shown_unit,
            (indicator,),
            demo,
            source=source,
            key_figure=key_figure,
            message=message,
            note=map_note,
        ),
        Chart(
            "ranking",
            f"Classement — {title}",
            ranking,
            ranked_table[values.loc[ranked_table.index, "territory_code"].isin(drawn).to_numpy()],
            shown_unit,
            (indicator,),
            demo,
            source=source,
            key_figure=key_figure,
            note=_ranking_note(params, cut, map_note),
        ),
    ]
    if cut:
        blocks.append(
            Table(
                "classement-complet",
                f"Toutes les {plural} — {label} ({shown_unit}), {when}",
                ranked_table,
                caption=f"Les {fr_number(len(values))} {plural}, par rang ({rank_header[len('Rang (') : -1]} ; 1 = le plus élevé) : "
                "le tableau se trie par colonne et se cherche (loupe)."
                + (f" {table_note}" if table_note else "")
                + (f" {secret_note}" if secret_note else ""),
                demo=demo,
            )
        )
    # a year per panel: with one year, each panel would be a single point
    if params.level in (Level.TERRITOIRE, Level.ARRONDISSEMENT) and params.first_year != params.last_year:
        blocks.append(_small_multiples(params, loader, indicator, label, unit, raw, source))
    blocks.extend(_gaps(params, loader, indicator, raw, source))
    ranked = values.dropna(subset=[mode]).sort_values(mode, ascending=False)
    dep_secret = int(raw.attrs.get("departement_secret", 0)), int(raw.attrs.get("departement_secret_denominator", 0))
    key_figures = (
        [KeyFigure(f"{params.departement_name} ({figure_unit})", secret.bounded(reference, dep_secret[0], decimals, dep_secret[1]))]
        if reference is not None
        else []
    )
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


def _measures(raw: pd.DataFrame, years: int, mode: str, cases: pd.DataFrame | None = None) -> tuple[pd.DataFrame, int]:
    """The level's values as the view shows them, and the scale of its rates: ``value`` and its
    rates per year over ``years`` (``events`` keeps the count over the whole period, which the
    small-number threshold reads), rates per ``scale`` households and inhabitants (1 000, or 10 000
    for a rare indicator), emptied under the small-number thresholds (``small``); the
    département's references (``attrs``) in the same units. For a ratio, ``cases`` are the
    level values of its denominator: under the thresholds, the ratio itself is not shown."""
    events = raw["value"] if cases is None else raw["territory_code"].map(cases.set_index("territory_code")["value"])
    values = raw.assign(events=events, value=raw["value"] / years, rate=raw["rate"] / years)
    values["per_inhabitants"] = values["value"] / values["population"].where(values["population"] > 0) * 1000
    attrs = {key: (None if raw.attrs.get(key) is None else float(raw.attrs[key]) / years) for key in DEPARTEMENT_REFERENCE.values()}
    column = mode if mode in RATE_MODES else "rate"
    reference = attrs[DEPARTEMENT_REFERENCE[column]]
    if reference is None:  # no département value: the level's own rate
        base = values["households"] if column == "rate" else values["population"]
        total = float(base.where(values["value"].notna()).sum())
        reference = float(values["value"].sum()) / total * 1000 if total else None
    scale = common.rate_scale(reference)
    for column in RATE_MODES:
        values[column] = values[column] * scale / 1000
        key = DEPARTEMENT_REFERENCE[column]
        own = attrs[key]
        attrs[key] = None if own is None else own * scale / 1000
    values = common.without_small_rates(values)
    if cases is not None:  # « 100 % » of one assignation
        values["value"] = values["value"].where(~values["small"])
    values.attrs.update(raw.attrs)
    values.attrs.update(attrs)
    return values, scale


def _key_figure(
    params: ViewParams, values: pd.DataFrame, mode: str, unit: str, decimals: int, reference: float | None, selected: str | None
) -> KeyFigure:
    """The selected territory's value and rank (« Grenoble : 25e sur 340 (pour 1 000 ménages par
    an) » → « 6,2 »; rank among the territories with a value, 1er = highest), else the département's value."""
    if selected is None:
        return KeyFigure(
            f"{params.departement_name} ({unit})",
            secret.bounded(
                reference,
                int(values.attrs.get("departement_secret", 0)),
                decimals,
                int(values.attrs.get("departement_secret_denominator", 0)),
            ),
        )
    row = values[values["territory_code"] == selected]
    if not row.empty and bool(secret.wholly_secret(row).iloc[0]):
        return KeyFigure(f"{params.territory_name} ({unit})", secret.SECRET_MARK)
    if row.empty or pd.isna(row[mode].iloc[0]):
        small = not row.empty and bool(row["small"].iloc[0])
        return KeyFigure(f"{params.territory_name} ({unit})", "effectif trop faible" if small else "pas de données")
    shown = values[mode].dropna().round(decimals)
    value = float(row[mode].iloc[0])
    rank = int((shown > round(value, decimals)).sum()) + 1
    n_secret = int(row["n_secret"].iloc[0]) if "n_secret" in row else 0
    n_denominator = int(row["n_secret_denominator"].iloc[0]) if "n_secret_denominator" in row else 0
    return KeyFigure(
        f"{params.territory_name} : {'1er' if rank == 1 else f'{rank}e'} sur {fr_number(len(shown))} ({unit})",
        secret.bounded(value, n_secret, decimals, n_denominator),
    )


def _ranking_note(params: ViewParams, cut: bool, small_note: str | None) -> str | None:
    """What the ranking leaves out, and why some territories have no rate."""
    parts = []
    if cut:
        plural = LEVEL_PLURAL[params.level]
        also = "" if params.is_departement else f", et {params.territory_name} à son rang"
        parts.append(
            f"Les {common.RANKING_LIMIT} {plural} en tête du classement et les {common.RANKING_LIMIT} en queue{also} ; "
            f"couleurs : les classes de la carte. Toutes les {plural} sont dans le tableau ci-dessous."
        )
    if small_note:
        parts.append(small_note)
    return " ".join(parts) or None


def _small_multiples(params: ViewParams, loader: Loader, indicator: str, label: str, unit: str, values: pd.DataFrame, source: str) -> Chart:
    codes = tuple(values["territory_code"])
    series = loader.indicator_series((indicator,), codes, params.period, Granularity.YEAR.value)
    names = dict(zip(values["territory_code"], values["name"], strict=True))
    data = common.series_table(series, Granularity.YEAR, territories=names)
    # each year's value says whether the secret statistique makes it a minimum (« total minimal »)
    cells = loader.secret_cells((indicator,), codes, params.period, Granularity.YEAR.value)
    data = secret.mark_series_table(data, series, cells, common.REMARK_HEADER)
    per_territory = cells.groupby("territory_code", as_index=False, sort=False)[["n_secret", "n_secret_denominator"]].sum()
    return Chart(
        "multiples",
        f"{label} par année et par territoire (même échelle) — {params.period.label()}",
        small_multiples(series, names=names, unit=unit, presentation=params.presentation) if not series.empty else None,
        data,
        unit,
        (indicator,),
        common.is_demo(series),
        source=source,
        note=secret.series_note(per_territory, names),
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
            gap_to_objective_bar(
                gaps,
                presentation=params.presentation,
                selected=None if params.is_departement else params.territory,
                limit=common.RANKING_LIMIT,  # 521 communes: the largest gaps above and below, the data all of them
                level_word=LEVEL_PLURAL[params.level],
            ),
            data,
            "% d'écart à la cible au prorata",
            (indicator,),
            common.is_demo(values),
            source=source,
        )
    ]
