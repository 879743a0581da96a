"""Query functions used by the pages: Connection + keyword filters → DataFrame.

Values are summed by :mod:`data_access.aggregation` (finest stored level and granularity, zero-fill
of commune-level series, ratios recomputed from their sums; see its docstring). Every result has a
boolean ``demo`` column (any demo value contributed) and ``attrs["demo"]`` (any row is demo), so
that pages say « Données fictives de démonstration » exactly where it applies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import cast

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Select, and_, case, func, select

from data_access.aggregation import (
    SERIES_COLUMNS,
    bucket_columns,
    bucket_day,
    bucket_grouping,
    series_frame,
    stored_components,
    summed_values,
    target_territories,
    with_ratios,
)
from data_access.models import (
    ActionIndicator,
    ActionProgressHistory,
    Event,
    ImportBatch,
    Indicator,
    MilestoneRecord,
    Objective,
    Observation,
    Plan,
    PlanAction,
    PlanAxis,
    SeriesCoverage,
    Territory,
    TerritoryMembership,
)
from data_access.periods import Bucket, Granularity, Period, add_months

LEVEL_VALUES_COLUMNS = ["territory_code", "name", "value", "households", "population", "rate", "rank", "demo"]
LEVEL_SECRET_COLUMNS = [
    "n_secret",
    "n_cells",
    "n_secret_denominator",
]  # level_values' secret statistique counts, after LEVEL_VALUES_COLUMNS
CHAIN_COLUMNS = ["stage", "indicator_code", "label", "value", "rate_from_previous", "demo"]
EVICTION_CHAIN = ("assignations", "cql", "cfp_demandes", "cfp_accordes", "expulsions_effectives")


# --- catalogue and referentials ------------------------------------------------------------------


def _table_frame(conn: Connection, stmt: Select) -> pd.DataFrame:  # type: ignore[type-arg]
    result = conn.execute(stmt)
    return pd.DataFrame(result.all(), columns=list(result.keys()))


def indicator_catalogue(conn: Connection) -> pd.DataFrame:
    """Every indicator with its label, unit, theme, better, granularities, definition, source,
    numerator_code, denominator_code and scale, ordered by theme then code."""
    return _table_frame(conn, select(Indicator).order_by(Indicator.theme, Indicator.code))


PLAN_COLUMNS = (
    "code",
    "name",
    "short_name",
    "acronym",
    "departement_code",
    "period_start",
    "period_end",
    "axis_kind",
    "is_default",
    "perimeter_code",
)


def plans(conn: Connection) -> pd.DataFrame:
    """Loaded plans: PLAN_COLUMNS (``is_default``: the plan flagged ``defaut`` in its plan.yaml;
    ``perimeter_code``: the territory an intercommunal plan covers, None for a département's), by code."""
    columns = [getattr(Plan, name) for name in PLAN_COLUMNS]
    return pd.DataFrame(conn.execute(select(*columns).order_by(Plan.code)).all(), columns=list(PLAN_COLUMNS))


def territories(conn: Connection, *, departement: str, level: str | None = None) -> pd.DataFrame:
    """Territories of a département (optionally of one level): code, name, level, population, households, sorted by name."""
    stmt = select(Territory.code, Territory.name, Territory.level, Territory.population, Territory.households).where(
        Territory.departement_code == departement
    )
    if level is not None:
        stmt = stmt.where(Territory.level == level)
    return pd.DataFrame(conn.execute(stmt.order_by(Territory.name)).all(), columns=["code", "name", "level", "population", "households"])


def territory_name(conn: Connection, *, code: str) -> str:
    """The territory's name, or its code when unknown."""
    return conn.scalar(select(Territory.name).where(Territory.code == code)) or code


def territory_groups(conn: Connection, *, code: str) -> tuple[str, ...]:
    """The territory and every grouping it belongs to today (its EPCI, territoire, arrondissement,
    département for a commune; its département for a grouping), sorted: the territories whose
    objectives apply to it."""
    m = TerritoryMembership
    groups = conn.scalars(select(m.group_code).where(m.member_code == code)).all()
    return tuple(sorted({code, *groups}))


def year_bounds(conn: Connection, *, departement: str) -> tuple[int, int]:
    """First and last years with stored values for the département (or France), from the coverage."""
    first, last = conn.execute(
        select(func.min(SeriesCoverage.first_period), func.max(SeriesCoverage.last_period)).where(
            SeriesCoverage.departement_code.in_([departement, "FR"])
        )
    ).one()
    return (first.year, last.year) if first and last else (2013, dt.date.today().year)


def data_version(conn: Connection) -> tuple[int, int, str, int, int]:
    """Changes whenever values are loaded, imported or reverted, and whenever a fiche's follow-up
    or a milestone is recorded (from the app or the command line): (batches, last batch id, last
    revert, last follow-up change, last milestone record)."""
    count, last, reverted = conn.execute(select(func.count(), func.max(ImportBatch.id), func.max(ImportBatch.reverted_at))).one()
    progress = conn.scalar(select(func.max(ActionProgressHistory.id)))
    milestone = conn.scalar(select(func.max(MilestoneRecord.id)))
    return int(count), int(last or 0), str(reverted), int(progress or 0), int(milestone or 0)


def memberships(conn: Connection, *, departement: str) -> pd.DataFrame:
    """Commune → grouping table of a département: member_code, group_code, group_level (one row per
    commune and grouping level: epci, arrondissement, territoire, departement)."""
    stmt = (
        select(TerritoryMembership.member_code, TerritoryMembership.group_code, TerritoryMembership.group_level)
        .join(Territory, Territory.code == TerritoryMembership.member_code)
        .where(
            Territory.departement_code == departement,
            TerritoryMembership.member_level == "commune",
            TerritoryMembership.group_level != "commune",
        )
    )
    return pd.DataFrame(conn.execute(stmt).all(), columns=["member_code", "group_code", "group_level"])


def events(conn: Connection, *, departement: str | None = None) -> pd.DataFrame:
    """Events to annotate (national ones and the département's): date_start, date_end, label."""
    stmt = select(Event.date_start, Event.date_end, Event.label).where(
        (Event.departement_code.is_(None)) | (Event.departement_code == departement)
    )
    return pd.DataFrame(conn.execute(stmt.order_by(Event.date_start)).all(), columns=["date_start", "date_end", "label"])


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    frame.attrs["demo"] = bool(frame["demo"].any()) if not frame.empty else False
    return frame


# --- public queries -----------------------------------------------------------------------------


def indicator_series(
    conn: Connection, *, indicators: Sequence[str], territories: Sequence[str], period: Period, granularity: Granularity | str = "month"
) -> pd.DataFrame:
    """Values of indicators per territory and period, summed in SQL (see :mod:`data_access.aggregation`).

    Territories may be of any level (a commune, a territoire, the département, ``FR``).
    ``total`` gives one row per indicator and territory for the whole period (``period_start`` is
    the period's start). ``rolling12`` gives, for each month, the sum of the twelve months ending with it (ratios:
    the ratio of the twelve-month sums); months without twelve months of coverage are absent.
    Columns: SERIES_COLUMNS; ``period_start`` is the first day of the month, quarter or year.
    """
    if granularity != Granularity.ROLLING12:
        return _finish(summed_values(conn, indicators, territories, period, cast(Bucket, granularity)))
    extended = Period(add_months(period.start, -11), period.end)
    components = stored_components(conn, indicators)
    scales = dict(conn.execute(select(Indicator.code, Indicator.scale).where(Indicator.code.in_(list(indicators)))).all())
    monthly = summed_values(conn, [c for parts in components.values() for c in parts], territories, extended, "month")
    rolled = []
    for (indicator, territory), group in monthly.groupby(["indicator_code", "territory_code"]):
        group = group.set_index("period_start").sort_index()
        full = group.reindex([add_months(extended.start, i) for i in range(extended.months)])
        rolled.append(
            pd.DataFrame(
                {
                    "indicator_code": indicator,
                    "territory_code": territory,
                    "period_start": full.index,
                    "value": full["value"].rolling(12, min_periods=12).sum().to_numpy(),
                    "complete": full["complete"]
                    .astype("boolean")
                    .fillna(False)
                    .astype(bool)
                    .rolling(12)
                    .min()
                    .fillna(0)
                    .astype(bool)
                    .to_numpy(),
                    "demo": full["demo"]
                    .astype("boolean")
                    .fillna(False)
                    .astype(bool)
                    .rolling(12, min_periods=1)
                    .max()
                    .astype(bool)
                    .to_numpy(),
                }
            )
        )
    sums = pd.concat(rolled, ignore_index=True).dropna(subset=["value"]) if rolled else pd.DataFrame(columns=SERIES_COLUMNS)
    sums = sums[sums["period_start"] >= period.start]
    by_key = {(i, t, p): (float(v), bool(c), bool(d)) for i, t, p, v, c, d in sums[SERIES_COLUMNS].itertuples(index=False, name=None)}
    return _finish(series_frame(with_ratios(by_key, components, scales)))


def level_values(conn: Connection, *, indicator: str, level: str, departement: str, period: Period) -> pd.DataFrame:
    """One indicator for every territory of ``level`` in ``departement``, summed over ``period``,
    with its rate per 1 000 ménages (``rate``; per 1 000 habitants is ``value / population``) and
    its rank within the level (1 = highest value). Columns: LEVEL_VALUES_COLUMNS then
    LEVEL_SECRET_COLUMNS, sorted by rank.
    ``attrs["departement_value"]`` is the département's value over the same period,
    ``attrs["departement_rate"]`` and ``attrs["departement_per_inhabitants"]`` its rates per 1 000
    ménages and per 1 000 habitants (None without data).

    Secret statistique: ``n_secret`` counts the secret cells (stored as 0) behind each value and
    ``n_cells`` every stored cell behind it (:func:`secret_counts`); ``n_secret == n_cells > 0`` is a
    value wholly secret, ``0 < n_secret < n_cells`` a sum that is a lower bound; a ratio's
    ``n_secret_denominator`` counts its denominator's secret cells.
    ``attrs["departement_secret"]`` and ``attrs["departement_secret_denominator"]`` are the
    département's."""
    places = territories(conn, departement=departement, level=level)
    values = summed_values(conn, [indicator], [*places["code"], departement], period, "total")
    # the level's territories as read above, and the département itself (not a second long IN list)
    targets = pd.concat([places, target_territories(conn, [departement])]).set_index("code")
    frame = values.set_index("territory_code").join(targets[["name", "households", "population"]], how="right")
    dep_value = frame.loc[departement, "value"] if departement in frame.index else np.nan
    frame = frame.drop(index=departement).reset_index(names="territory_code")
    frame["rate"] = frame["value"] / frame["households"].replace(0, np.nan) * 1000
    frame["rank"] = frame["value"].rank(ascending=False, method="min").astype("Int64")
    frame["demo"] = frame["demo"].astype("boolean").fillna(False).astype(bool)
    secrets = secret_counts(conn, indicators=[indicator], territories=[*places["code"], departement], period=period)
    counted = frame[["territory_code"]].merge(secrets, on="territory_code", how="left")
    frame["n_secret"] = counted["n_secret"].fillna(0).astype(int).to_numpy()
    frame["n_cells"] = counted["n_cells"].fillna(0).astype(int).to_numpy()
    frame["n_secret_denominator"] = counted["n_secret_denominator"].fillna(0).astype(int).to_numpy()
    result = _finish(frame[[*LEVEL_VALUES_COLUMNS, *LEVEL_SECRET_COLUMNS]].sort_values(["rank", "name"], ignore_index=True))
    total = None if pd.isna(dep_value) else float(dep_value)  # type: ignore[arg-type]
    households, population = (float(targets.at[departement, c] or 0) for c in ("households", "population"))  # type: ignore[arg-type]
    result.attrs["departement_value"] = total
    dep_secrets = secrets.set_index("territory_code")
    result.attrs["departement_secret"] = int(dep_secrets["n_secret"].get(departement, 0))
    result.attrs["departement_secret_denominator"] = int(dep_secrets["n_secret_denominator"].get(departement, 0))
    result.attrs["departement_rate"] = None if total is None or not households else total / households * 1000
    result.attrs["departement_per_inhabitants"] = None if total is None or not population else total / population * 1000
    return result


SECRET_COLUMNS = ["territory_code", "n_secret", "n_cells", "n_secret_denominator"]
SECRET_CELL_COLUMNS = ["indicator_code", "territory_code", "period_start", "n_secret", "n_cells", "n_secret_denominator"]


def secret_cells(
    conn: Connection, *, indicators: Sequence[str], territories: Sequence[str], period: Period, bucket: Granularity | str = "total"
) -> pd.DataFrame:
    """Secret statistique behind each value of a series (indicator, territory, bucket of ``period``),
    counting a territory's own stored cells and those of its communes:

    - ``n_secret``: secret cells of the indicator itself, or of a ratio's numerator: left out of
      the sum, which is then a lower bound (« ≥ »); the value is wholly secret when
      ``n_secret == n_cells`` (``n_cells``: all the cells behind it);
    - ``n_secret_denominator``: secret cells of a ratio's denominator: the ratio is then an upper
      bound when its numerator has none (« ≤ »), neither bound when both have some.

    Only values with at least one secret cell are listed. Columns: SECRET_CELL_COLUMNS; period_start
    is the bucket's first day (``period.start`` for the whole period; ``rolling12``: the last
    month of the twelve, as :func:`indicator_series`)."""
    if bucket == Granularity.ROLLING12:
        return _rolled_secret_cells(conn, indicators=indicators, territories=territories, period=period)
    return _cells(conn, indicators, territories, period, cast(Bucket, bucket), every=False)


def _cells(
    conn: Connection, indicators: Sequence[str], territories: Sequence[str], period: Period, bucket: Bucket, *, every: bool
) -> pd.DataFrame:
    """:func:`secret_cells`, with ``every`` value of the territories that have a secret cell in
    ``period`` (also those without one in their own bucket: a rolling sum needs their cells)."""
    parts = stored_components(conn, indicators)
    components = sorted({c for p in parts.values() for c in p})
    o, m = Observation, TerritoryMembership
    in_period = (o.indicator_code.in_(components), o.period_start >= period.start, o.period_start < period.end)
    empty = pd.DataFrame({c: pd.Series(dtype=int if c.startswith("n_") else object) for c in SECRET_CELL_COLUMNS})
    if not conn.scalar(select(o.indicator_code).where(*in_period, o.secret).limit(1)):  # the usual case: one short scan
        return empty
    where = [*in_period, m.group_code.in_(list(territories)), (m.member_level == "commune") | (m.member_code == m.group_code)]
    secret_groups = select(m.group_code).join(o, o.territory_code == m.member_code).where(*where, o.secret).distinct()
    columns = bucket_columns(bucket)
    stmt = (
        select(o.indicator_code, m.group_code, *columns, func.sum(case((o.secret, 1), else_=0)), func.count())
        .join(o, o.territory_code == m.member_code)
        .where(*where, m.group_code.in_(secret_groups))
        .group_by(o.indicator_code, m.group_code, *bucket_grouping(columns, bucket))
    )
    counted = {(c, t, bucket_day(bucket, period, y, mo)): (int(n), int(k)) for c, t, y, mo, n, k in conn.execute(stmt)}
    rows = []
    for code, stored in parts.items():
        numerator, denominator = stored[0], stored[1] if len(stored) > 1 else None
        keys = {(t, day) for c, t, day in counted if c in stored}
        for territory, day in sorted(keys):
            n, cells = counted.get((numerator, territory, day), (0, 0))
            n_den = counted.get((denominator, territory, day), (0, 0))[0] if denominator else 0
            if n or n_den or every:
                rows.append((code, territory, day, n, cells, n_den))
    return pd.DataFrame(rows, columns=SECRET_CELL_COLUMNS).astype({c: int for c in SECRET_CELL_COLUMNS[3:]}) if rows else empty


def _rolled_secret_cells(conn: Connection, *, indicators: Sequence[str], territories: Sequence[str], period: Period) -> pd.DataFrame:
    """:func:`secret_cells` of the twelve months ending with each month of ``period``."""
    months = _cells(conn, indicators, territories, Period(add_months(period.start, -11), period.end), "month", every=True)
    if months.empty:
        return months
    counts = SECRET_CELL_COLUMNS[3:]
    rolled = []
    for (indicator, territory), group in months.groupby(["indicator_code", "territory_code"]):
        days = pd.Index([add_months(period.start, i - 11) for i in range(period.months + 11)])
        summed = group.set_index("period_start")[counts].reindex(days, fill_value=0).rolling(12, min_periods=1).sum().iloc[11:]
        summed = summed[(summed["n_secret"] > 0) | (summed["n_secret_denominator"] > 0)]
        rolled.append(summed.assign(indicator_code=str(indicator), territory_code=str(territory)).rename_axis("period_start").reset_index())
    return pd.concat(rolled, ignore_index=True)[SECRET_CELL_COLUMNS].astype({c: int for c in counts})


def secret_counts(conn: Connection, *, indicators: Sequence[str], territories: Sequence[str], period: Period) -> pd.DataFrame:
    """:func:`secret_cells` over the whole ``period``, per territory (its indicators added up): only
    territories with at least one secret cell are listed. Columns: SECRET_COLUMNS."""
    cells = secret_cells(conn, indicators=indicators, territories=territories, period=period)
    return cells.groupby("territory_code", as_index=False, sort=False)[SECRET_COLUMNS[1:]].sum()[SECRET_COLUMNS]


def eviction_chain(conn: Connection, *, territory: str, period: Period) -> pd.DataFrame:
    """The five stages assignations → CQL → CFP demandés → CFP accordés → expulsions effectives
    for one territory over ``period``, in that order, with each stage's share of the previous one
    (``rate_from_previous``, percent; None for the first stage). Columns: CHAIN_COLUMNS."""
    values = summed_values(conn, list(EVICTION_CHAIN), [territory], period, "total").set_index("indicator_code")
    labels = dict(conn.execute(select(Indicator.code, Indicator.label).where(Indicator.code.in_(EVICTION_CHAIN))).all())
    rows: list[tuple[int, str, str, float | None, float | None, bool]] = []
    previous: float | None = None
    for stage, code in enumerate(EVICTION_CHAIN, start=1):
        value = float(values.at[code, "value"]) if code in values.index else None  # type: ignore[arg-type]
        rate = 100 * value / previous if value is not None and previous else None
        rows.append((stage, code, labels.get(code, code), value, rate, bool(values.loc[code, "demo"]) if code in values.index else False))
        previous = value
    # float columns even when a stage or every rate is missing (None): a chain with only its first
    # stage stays a frame of numbers
    return _finish(pd.DataFrame(rows, columns=CHAIN_COLUMNS).astype({"value": float, "rate_from_previous": float}))


def reference_points(conn: Connection, *, indicators: Sequence[str], territories: Sequence[str]) -> pd.DataFrame:
    """Published real figures (batches of kind ``reference``) for the given indicators and
    territories: indicator_code, territory_code, period_start, value, approx, source."""
    stmt = (
        select(
            Observation.indicator_code,
            Observation.territory_code,
            Observation.period_start,
            Observation.value,
            Observation.approx,
            Observation.source,
        )
        .join(ImportBatch, ImportBatch.id == Observation.import_batch_id)
        .where(
            ImportBatch.kind == "reference",
            Observation.indicator_code.in_(list(indicators)),
            Observation.territory_code.in_(list(territories)),
        )
        .order_by(Observation.indicator_code, Observation.period_start)
    )
    return pd.DataFrame(conn.execute(stmt).all(), columns=["indicator_code", "territory_code", "period_start", "value", "approx", "source"])


def coverage(conn: Connection, *, departement: str | None = None) -> pd.DataFrame:
    """What is stored per indicator: indicator_code, departement_code, level, granularity,
    first_period, last_period, n_values, n_demo, updated_at."""
    stmt = select(SeriesCoverage)
    if departement is not None:
        stmt = stmt.where(SeriesCoverage.departement_code.in_([departement, "FR"]))
    return _table_frame(conn, stmt)


def plan_structure(conn: Connection, *, plan: str) -> pd.DataFrame:
    """Axes and fiches-action of a plan in order: axis_code, axis_title, axis_objective, and the
    action's code, title, description, objective, quantified_objective, responsible, partners,
    cost, evaluation_effectivite, evaluation_efficacite, evaluation_impact, evaluation_text."""
    a, x = PlanAction, PlanAxis
    stmt = (
        select(
            x.code,
            x.title,
            x.objective,
            a.code,
            a.title,
            a.description,
            a.objective,
            a.quantified_objective,
            a.responsible,
            a.partners,
            a.cost,
            a.evaluation_effectivite,
            a.evaluation_efficacite,
            a.evaluation_impact,
            a.evaluation_text,
        )
        .join(a, and_(a.plan_code == x.plan_code, a.axis_code == x.code))
        .where(x.plan_code == plan)
        .order_by(x.position, a.position)
    )
    columns = [
        "axis_code",
        "axis_title",
        "axis_objective",
        "code",
        "title",
        "description",
        "objective",
        "quantified_objective",
        "responsible",
        "partners",
        "cost",
        "evaluation_effectivite",
        "evaluation_efficacite",
        "evaluation_impact",
        "evaluation_text",
    ]
    return pd.DataFrame(conn.execute(stmt).all(), columns=columns)


def action_indicators(conn: Connection, *, plan: str) -> pd.DataFrame:
    """Which stored indicators measure each fiche-action: action_code, indicator_code."""
    stmt = select(ActionIndicator.action_code, ActionIndicator.indicator_code).where(ActionIndicator.plan_code == plan)
    return pd.DataFrame(conn.execute(stmt).all(), columns=["action_code", "indicator_code"])


def plan_objectives(conn: Connection, *, plan: str) -> pd.DataFrame:
    """Objectives of a plan in the plan's order, with every column of ``objective``."""
    stmt = (
        select(Objective)
        .join(PlanAction, and_(PlanAction.plan_code == Objective.plan_code, PlanAction.code == Objective.action_code))
        .join(PlanAxis, and_(PlanAxis.plan_code == PlanAction.plan_code, PlanAxis.code == PlanAction.axis_code))
        .where(Objective.plan_code == plan)
        .order_by(PlanAxis.position, PlanAction.position, Objective.position)
    )
    return _table_frame(conn, stmt)
