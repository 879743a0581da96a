"""Pieces every view builder uses: the catalogue, the source line, the filters in words, key figures,
the objective status of a page's indicators and the map of a level."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from data_access import objectives
from data_access.errors import UserError
from data_access.french import fr_bool, fr_date, fr_measure, fr_number, fr_percent, fr_signed_percent, fr_value, fr_year
from data_access.periods import Period
from data_access.settings import load_settings
from data_access.status import BASELINE_KINDS
from data_access.vocabulary import GRANULARITY_LABELS, LEVEL_PLURAL, LEVEL_SINGULAR, Granularity, Level, ObjectiveKind, ObjectiveStatus
from figures.lines import TARGET_YEAR_COLUMNS, Target
from geo.classes import SMALL_LABEL, Classes
from geo.maps import choropleth
from views import secret
from views.loader import Loader
from views.model import KeyFigure
from views.params import ViewParams

RANKING_LIMIT = 15  # the highest and the lowest territories a ranking draws; its table lists them all
CONTEXT_THEME = "contexte"  # population, households: not offered as indicators to chart


def catalogue(loader: Loader) -> pd.DataFrame:
    """The indicator catalogue indexed by code."""
    return loader.indicator_catalogue().set_index("code")


def labels(loader: Loader) -> dict[str, str]:
    """Indicator code → French label."""
    return {str(code): str(label) for code, label in catalogue(loader)["label"].items()}


def chart_indicators(loader: Loader) -> dict[str, str]:
    """The indicators a user may chart (code → label), in catalogue order."""
    table = loader.indicator_catalogue()
    kept = table[table["theme"] != CONTEXT_THEME]
    return dict(zip(kept["code"].astype(str), kept["label"].astype(str), strict=True))


def source_line(loader: Loader, indicators: Sequence[str], departement: str) -> str:
    """« Source : Préfecture (EXPLOC) ; Département (FSL) · Mise à jour : 24/11/2026 »."""
    table = catalogue(loader)
    # a source that rounds its figures (CAF: to 5) says so wherever they show (views.secret.rounding_note)
    rounding = table["rounding"] if "rounding" in table else pd.Series(None, index=table.index, dtype=float)
    sources = list(
        dict.fromkeys(
            str(table.at[i, "source"]) + (f" ({note})" if (note := secret.rounding_note(rounding.at[i])) else "")
            for i in indicators
            if i in table.index and table.at[i, "source"]
        )
    )
    covered = loader.coverage(departement)
    # a ratio (an average amount, a rate) is stored as its numerator and denominator: their dates are its own
    parts = [
        str(table.at[i, column])
        for i in indicators
        if i in table.index
        for column in ("numerator_code", "denominator_code")
        if isinstance(table.at[i, column], str)
    ]
    covered = covered[covered["indicator_code"].isin([*indicators, *parts])] if indicators else covered
    updated = pd.to_datetime(covered["updated_at"]).max() if not covered.empty else pd.NaT
    text = f"Source : {' ; '.join(sources) if sources else 'observatoire PDALHPD'}"
    return text + (f" · Mise à jour : {fr_date(updated)}" if pd.notna(updated) else "")


def filters_text(params: ViewParams, *, level: bool = False, granularity: Granularity | None = None, period: Period | None = None) -> str:
    """« Isère — PALHDI 2014–2020 · Isère · 2021–2025 · par année » (the level when the view compares territories)."""
    parts = [params.plan_name, params.territory_name]
    if level:
        parts.append(f"par {LEVEL_SINGULAR[params.level]}")
    shown = period or params.period
    parts.append(shown.label() + plan_mark(params, shown.start.year, shown.end.year - (1 if shown.end.month == 1 else 0)))
    if granularity is not None:
        parts.append(f"par {GRANULARITY_LABELS[granularity]}")
    return " · ".join(parts)


def plan_mark(params: ViewParams, first: int, last: int | None = None) -> str:
    """«  (hors période du plan 2014–2020) » when the years lie outside the plan, « (en partie hors …) »
    when some do, "" within it."""
    last = first if last is None else last
    inside = [year for year in range(first, last + 1) if params.in_plan(year)]
    if len(inside) == last - first + 1:
        return ""
    return f" ({'en partie ' if inside else ''}hors période du plan {params.plan_years_label})"


def is_demo(*frames: pd.DataFrame) -> bool:
    """Whether any of the frames holds demo data: its ``demo`` column when it has one, else its
    ``demo`` attribute. The column comes first because a slice of a query's result keeps the whole
    result's attributes: one chart of real values cut from a frame that also holds demo series is
    not demo data."""
    for frame in frames:
        if "demo" in frame.columns:
            if not frame.empty and bool(frame["demo"].fillna(False).astype(bool).any()):
                return True
        elif frame.attrs.get("demo"):
            return True
    return False


def year_or_month(day: dt.date) -> str:
    return fr_year(day) if day.month == 1 else f"{day:%m/%Y}"


def last_value(series: pd.DataFrame, label: str, unit: str) -> KeyFigure | None:
    """The key figure of a series: its last period's value summed over the plotted lines."""
    shown = series.dropna(subset=["value"])
    if shown.empty:
        return None
    last = shown["period_start"].max()
    value = float(shown.loc[shown["period_start"] == last, "value"].sum())
    return KeyFigure(f"{label} ({year_or_month(last)})", fr_value(value, unit))


def last_and_change(series: pd.DataFrame, label: str, unit: str) -> list[KeyFigure]:
    """Last value of a one-line series, and its change on the previous bucket."""
    ordered = series.dropna(subset=["value"]).sort_values("period_start")
    if ordered.empty:
        return []
    last = ordered.iloc[-1]
    figures = [KeyFigure(f"{label} ({year_or_month(last['period_start'])})", fr_value(float(last["value"]), unit))]
    if len(ordered) > 1 and ordered.iloc[-2]["value"]:
        before = float(ordered.iloc[-2]["value"])
        figures.append(KeyFigure("Évolution sur la période précédente", fr_signed_percent(100 * (float(last["value"]) - before) / before)))
    return figures


def page_objectives(loader: Loader, plan: str, indicators: Sequence[str], kinds: Sequence[str] | None = None) -> pd.DataFrame:
    """The plan's objectives measured by ``indicators`` (and of ``kinds`` when given), in the plan's order."""
    table = loader.plan_objectives(plan)
    chosen = table[table["indicator_code"].isin(list(indicators))]
    return chosen[chosen["kind"].isin(list(kinds))] if kinds is not None else chosen


# The side of its line where an objective is met, per kind: the rule is ``met`` in
# ``data_access.status.status_from_measurement`` (a test checks that both agree on every kind).
MET_ABOVE = {
    ObjectiveKind.MIN_PER_YEAR: True,
    ObjectiveKind.MIN_CUMULATIVE: True,
    ObjectiveKind.STOCK_TARGET: True,
    ObjectiveKind.SHARE_MIN: True,
    ObjectiveKind.INCREASE_FROM_BASELINE: True,
    ObjectiveKind.MAX_PER_YEAR: False,
    ObjectiveKind.RATIO_MAX: False,
    ObjectiveKind.DECREASE_FROM_BASELINE: False,
}
# kinds without a level to draw per bucket: a milestone, a total over the whole objective's period, a target not set yet
NOT_DRAWN = frozenset({ObjectiveKind.MILESTONE, ObjectiveKind.MIN_CUMULATIVE, ObjectiveKind.TO_BE_SET})
JUDGED_ON_CHARTS = (ObjectiveStatus.ATTEINT, ObjectiveStatus.EN_BONNE_VOIE, ObjectiveStatus.EN_RETARD, ObjectiveStatus.NON_ATTEINT)


def objective_targets(
    loader: Loader, params: ViewParams, objectives_shown: pd.DataFrame, granularity: str
) -> list[tuple[Target | None, pd.DataFrame | None]]:
    """Each objective (rows of :func:`page_objectives`) as a chart of ``params``'s territory at
    ``granularity`` draws it: (target, trajectory), None for what is not drawn.

    Drawn only where the objective applies as written (the territory it names), and for kinds
    with a level (not milestones nor cumulative totals). The target's line is the level that
    decides its status: the target, or for a baseline kind without one the baseline (the plan's,
    else the one measured, as the evaluation reads it); the trajectory runs from the baseline to
    a baseline kind's target. Each plan year shown gets the status of the plan's evaluation
    (``loader.plan_evaluation``, the objective status table's rule, never recomputed here), and
    the latest one judged is the verdict (« 2020 : 50 / 40 : atteint »)."""
    drawn = [
        params.territory == objective["territory_code"] and objective["kind"] not in NOT_DRAWN
        for _, objective in objectives_shown.iterrows()
    ]
    if not any(drawn):
        return [(None, None)] * len(objectives_shown)
    evaluation = {int(row["objective_id"]): row for row in loader.plan_evaluation(params.plan).to_dict("records")}
    units = catalogue(loader)["unit"]
    results: list[tuple[Target | None, pd.DataFrame | None]] = []
    for (_, objective), draw in zip(objectives_shown.iterrows(), drawn, strict=True):
        judged = evaluation.get(int(objective["id"])) if draw else None
        unit = str(units.get(objective["indicator_code"], ""))
        results.append(_objective_target(objective, judged, params, granularity, unit) if judged is not None else (None, None))
    return results


def _objective_target(
    objective: pd.Series, judged: Mapping[Hashable, Any], params: ViewParams, granularity: str, unit: str
) -> tuple[Target | None, pd.DataFrame | None]:
    kind = str(objective["kind"])
    target, baseline = _number(judged["target"]), _number(judged["baseline"])
    trajectory = None
    if kind in BASELINE_KINDS:
        level = target if target is not None else baseline
        if level is None:
            return None, None
        if target is not None and baseline is not None:
            _, path = objectives.objective_series(_with(objective, baseline_value=baseline), params.period, granularity)
            trajectory = path if not path.empty else None
        drawn = _with(objective, baseline_value=level, target_value=None)
    else:
        level = target if target is not None else _number(objective["target_value"])
        if level is None:
            return None, None
        drawn = _with(objective, target_value=level)
    line, _ = objectives.objective_series(drawn, params.period, granularity)
    if line.empty:
        return None, trajectory
    # a tolerance applies to a target, never to a measured baseline (data_access.status)
    tolerance = _number(objective["tolerance"]) if target is not None or kind not in BASELINE_KINDS else None
    word = "cible" if target is not None or kind not in BASELINE_KINDS else "référence"
    approx = f" ({objective['tolerance_label']})" if isinstance(objective["tolerance_label"], str) and objective["tolerance_label"] else ""
    rows = []
    for year, (status, value) in sorted(judged["years"].items()):
        if status in JUDGED_ON_CHARTS and _number(value) is not None and params.period.start <= dt.date(year, 1, 1) < params.period.end:
            amount = _amount(float(value), unit)
            rows.append(
                (dt.date(year, 1, 1), float(value), status, f"{year} : {amount} / {word} {_amount(level, unit)}{approx} — {status}")
            )
    years = pd.DataFrame(rows, columns=TARGET_YEAR_COLUMNS)
    verdict = None
    if rows:
        day, value, status, _ = rows[-1]
        verdict = f"{day.year} : {_amount(value, unit)} / {_amount(level, unit)} : {status}"
    return (
        Target(
            line.assign(label=f"Objectif : {objective['label']}"),
            met_above=MET_ABOVE[ObjectiveKind(kind)],
            tolerance=tolerance or 0.0,
            years=years,
            verdict=verdict,
        ),
        trajectory,
    )


def _with(objective: pd.Series, **values: object) -> pd.Series:
    """A copy of an objective's row with some fields replaced."""
    changed = objective.copy()
    for key, value in values.items():
        changed[key] = value
    return changed


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type,call-overload]


def _amount(value: float, unit: str) -> str:
    """A measured value or a target in short print: « 6 034 », « 9,9 % »."""
    return fr_percent(value) if unit == "%" else fr_measure(value)


def objective_status_text(loader: Loader, params: ViewParams, indicators: Sequence[str]) -> str | None:
    """« Objectif 2025 : atteint » for the objectives measured by ``indicators`` (year = ``fin``), else None."""
    own = page_objectives(loader, params.plan, indicators)
    if own.empty:
        return None
    table = loader.objective_status_table(params.plan, params.last_year, None if params.is_departement else params.territory)
    statuses = table[table["objective_id"].isin(own["id"])] if "objective_id" in table.columns else table.iloc[0:0]
    if statuses.empty:
        statuses = table[table["indicator_code"].isin(list(indicators))]
    if statuses.empty:
        return None
    words = [ObjectiveStatus(s) for s in statuses["status"]]
    year = f"{params.last_year}{plan_mark(params, params.last_year)}"
    if len(words) == 1:
        return f"Objectif {year} : {words[0]}"
    if len(set(words)) == 1:
        return f"Objectifs {year} : {words[0]} ({len(words)} sur {len(words)})"
    counts = pd.Series([str(w) for w in words]).value_counts()
    parts = [f"{count} {status}" for status, count in counts.items()]
    return f"Objectifs {year} : " + ", ".join(parts)


def level_map(
    loader: Loader,
    params: ViewParams,
    values: pd.DataFrame,
    *,
    value_column: str,
    unit: str,
    title: str,
    indicator_label: str,
    departement_value: float | None = None,
    classes: Classes | None = None,
) -> tuple[go.Figure | None, str | None]:
    """(the choropleth of ``values`` at the view's level, None), or (None, the French reason there is no map).

    The selected territory is outlined, with its value and rank under the title, territories are
    labelled at the territoire level, and the département's outline is drawn at commune level
    (see ``geo.maps.choropleth``). A rate (``value_column`` other than ``value``) is not computed
    for a territory under the small-number thresholds (:func:`without_small_rates`): drawn
    « Effectif trop faible », the legend saying the rule. ``classes``: computed beforehand for
    the same values (the ranking's colours), else from the mapped values."""
    layers = loader.map_levels(params.departement)
    if isinstance(layers, str):
        return None, layers
    if params.level.value not in layers.layers:
        return None, f"Pas de fond de carte au niveau « {LEVEL_SINGULAR[params.level]} » pour ce département."
    if value_column != "value":
        values = without_small_rates(values, (value_column,))
    try:
        figure = choropleth(
            layers[params.level.value],
            values,
            value_column=value_column,
            unit=unit,
            title=title,
            indicator_label=indicator_label,
            selected=None if params.is_departement else params.territory,
            departement_value=departement_value,
            departement_name=params.departement_name,
            labels=params.level == Level.TERRITOIRE,
            outline=layers.layers.get(Level.DEPARTEMENT.value) if params.level == Level.COMMUNE else None,
            presentation=params.presentation,
            classes=classes,
            small_label=small_numbers_label(),
        )
    except UserError as error:  # a broken layer: said in place of the map
        return None, str(error)
    return figure, None


def secret_notices(loader: Loader, params: ViewParams, indicators: Sequence[str]) -> tuple[str, ...]:
    """The page's warning when its sums for the selected territory leave out values covered by the
    secret statistique (they are lower bounds, :func:`views.secret.page_notice`); () without any."""
    note = secret.page_notice(loader.secret_counts(tuple(indicators), (params.territory,), params.period), params.territory_name)
    return (note,) if note else ()


def roles_of(params: ViewParams) -> dict[str, str]:
    """Territory code → role for the lines' colours (``figures.palette.ROLE_COLOURS``): the selected
    territory, the plan's département beside it, France; the département itself, when selected, takes the selected colour."""
    return {params.departement: "departement", "FR": "france", params.territory: "selected"}


def names_of(params: ViewParams, territories: pd.DataFrame, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Code → name for the level's territories, the département and France."""
    return {
        **dict(zip(territories["code"], territories["name"], strict=True)),
        params.departement: params.departement_name,
        "FR": "France",
        **(extra or {}),
    }


def series_table(
    series: pd.DataFrame,
    granularity: Granularity | str,
    *,
    indicators: Mapping[str, str] | None = None,
    territories: Mapping[str, str] | None = None,
    indicator_header: str = "Indicateur",
) -> pd.DataFrame:
    """The data of a time-series chart with French headers: the indicator and the territory when
    given (code → name), the period (:func:`period_code`: « 2021 », « 2021-T1 », « 2021-03 »), the
    value and whether the period is complete (« Oui » / « Non »)."""
    columns: dict[str, object] = {}
    if indicators is not None:
        columns[indicator_header] = series["indicator_code"].map(indicators)
    if territories is not None:
        columns["Territoire"] = series["territory_code"].map(territories)
    header = "Année" if granularity in (Granularity.YEAR, Granularity.TOTAL) else "Période"
    columns[header] = [period_code(day, str(granularity)) for day in series["period_start"]]
    columns["Valeur"] = series["value"]
    if "complete" in series.columns:
        columns["Période complète"] = series["complete"].map(fr_bool)
    return pd.DataFrame(columns, index=series.index).reset_index(drop=True)


def period_code(day: dt.date, granularity: str) -> str:
    """A period in a data table: ``2021`` for a year, ``2021-T1`` for a quarter, ``2021-03`` for a
    month (and a rolling year, named by its last month).

    The tables of the views (on screen, CSV, Excel) write periods so: they sort as text, a French
    spreadsheet keeps them as written, and the importers read them back (``2024-03``, ``2024-T1``,
    ``2024``). Charts' axes and hovers name months in words (``figures.time_axis``).
    """
    if granularity in (Granularity.YEAR, Granularity.TOTAL):
        return fr_year(day)
    if granularity == Granularity.QUARTER:
        return f"{fr_year(day)}-T{(day.month - 1) // 3 + 1}"
    return f"{fr_year(day)}-{day.month:02d}"


RANK_HEADERS = {"value": "Rang (valeur)", "rate": "Rang (pour 1 000 ménages)", "per_inhabitants": "Rang (pour 1 000 habitants)"}
RATE_BASES = {"rate": "ménages", "per_inhabitants": "habitants"}
SCALES = (1000, 10_000, 100_000)  # rates per 1 000, else per 10 000 or 100 000 for rare events
REMARK_HEADER = "Remarque"


def rate_unit(column: str, scale: int = 1000) -> str:
    """« pour 1 000 ménages », « pour 10 000 habitants » (the unit of a rate column of ``level_values``)."""
    return f"pour {scale:,} {RATE_BASES[column]}".replace(",", " ")


def rate_scale(reference: float | None) -> int:
    """Per how many households (or inhabitants) a level's rates read best: 1 000, or 10 000 (then
    100 000) when the département's rate per 1 000 (``reference``) is below 1 and its territories'
    would read « 0,0 » or « 0,1 »."""
    scale = SCALES[0]
    if reference is None or not reference > 0:
        return scale
    for bigger in SCALES[1:]:
        if reference * scale / 1000 >= 1:
            break
        scale = bigger
    return scale


def small_numbers(values: pd.DataFrame) -> pd.Series:
    """Whether each territory of ``values`` (``queries.level_values``) is under the small-number
    thresholds: fewer households than ``OBSERVATOIRE_SEUIL_MENAGES`` or fewer cases over the period
    (``events`` when the view shows yearly averages, else ``value``) than
    ``OBSERVATOIRE_SEUIL_EVENEMENTS``. A territory without value or without households is not:
    it has no data."""
    settings = load_settings()
    households = pd.to_numeric(values["households"], errors="coerce")
    events = pd.to_numeric(values["events"] if "events" in values else values["value"], errors="coerce")
    known = events.notna() & (households > 0)
    return known & ((households < settings.seuil_menages) | (events < settings.seuil_evenements))


def without_small_rates(values: pd.DataFrame, columns: Sequence[str] = ("rate", "per_inhabitants")) -> pd.DataFrame:
    """``values`` with its rate ``columns`` (those present) emptied for the territories under the
    small-number thresholds, flagged in a boolean ``small`` column (:func:`small_numbers`)."""
    small = small_numbers(values)
    shown = values.assign(small=small)
    for column in columns:
        if column in shown and column != "value":
            shown[column] = shown[column].where(~small)
    return shown


def small_numbers_note(level: Level) -> str:
    """« Taux non calculé pour les communes de moins de 100 ménages ou de moins de 5 cas sur la
    période (effectif trop faible). », with the configured thresholds."""
    settings = load_settings()
    return (
        f"Taux non calculé pour les {LEVEL_PLURAL[level]} de moins de {fr_number(settings.seuil_menages)} ménages "
        f"ou de moins de {fr_number(settings.seuil_evenements)} cas sur la période (effectif trop faible)."
    )


def small_numbers_label() -> str:
    """The map legend's entry for those territories, with the rule: « Effectif trop faible
    (< 100 ménages ou < 5 cas) » on three lines (the legend stands beside the map)."""
    settings = load_settings()
    return f"{SMALL_LABEL}<br>(moins de {fr_number(settings.seuil_menages)} ménages<br>ou de {fr_number(settings.seuil_evenements)} cas)"


def level_table(
    values: pd.DataFrame,
    value_header: str,
    *,
    per_inhabitants: bool = False,
    rank_by: str = "rate",
    scale: int = 1000,
    total_header: str | None = None,
) -> pd.DataFrame:
    """The data of a map or ranking of a level (``queries.level_values``) with French headers.

    The rank (1 = highest) is by the measure the chart shows, ``rank_by`` (a column of ``values``:
    ``value``, ``rate`` or ``per_inhabitants``), and its header says which: « Rang (pour 1 000 ménages) ».
    Rates are per ``scale`` households or inhabitants (« Pour 10 000 ménages »), empty under the
    small-number thresholds (:func:`without_small_rates`), and « Remarque » says why a territory
    has no rate: « effectif trop faible », « pas de données ». ``total_header``: the header of
    ``events`` (the count over the whole period) when ``value`` is a yearly average."""
    values = without_small_rates(values)
    columns: dict[str, object] = {"Territoire": values["name"], value_header: values["value"]}
    if total_header is not None and "events" in values:
        columns[total_header] = values["events"]
    columns["Ménages"] = values["households"]
    columns[rate_unit("rate", scale).capitalize()] = values["rate"].round(1)
    if per_inhabitants:
        columns["Population"] = values["population"]
        columns[rate_unit("per_inhabitants", scale).capitalize()] = values["per_inhabitants"].round(1)
    header = RANK_HEADERS[rank_by] if scale == 1000 or rank_by == "value" else f"Rang ({rate_unit(rank_by, scale)})"
    columns[header] = values[rank_by].round(1).rank(ascending=False, method="min").astype("Int64")  # as printed: ties share a rank
    remark = np.where(values["small"], "effectif trop faible", np.where(values[rank_by].isna(), "pas de données", ""))
    columns[REMARK_HEADER] = pd.Series(remark, index=values.index)
    return pd.DataFrame(columns)
