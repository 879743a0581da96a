"""Where a view builder gets its data: the :class:`Loader` protocol.

The pages pass :mod:`ui.cache` (the same functions, cached per process); the exports and the
command line pass a :class:`DatabaseLoader` on an open connection (uncached). Every method returns
what the query function of the same name returns; callers may not mutate the frames they get.
"""

from __future__ import annotations

from typing import Protocol

import pandas as pd
from sqlalchemy import Connection

from data_access import dispositifs, evaluation, objectives, overview, progress, queries
from data_access.errors import UserError
from data_access.importers import list_batches
from data_access.periods import Granularity, Period
from geo.cache import LevelSet, load_levels
from geo.maps import unavailable_message


class Loader(Protocol):
    """The data a view may read (see :class:`DatabaseLoader` for what each returns)."""

    def plans(self) -> pd.DataFrame: ...
    def indicator_catalogue(self) -> pd.DataFrame: ...
    def coverage(self, departement: str) -> pd.DataFrame: ...
    def latest_complete_year(self, plan: str) -> int | None: ...
    def objective_status_table(self, plan: str, year: int, territory: str | None = None) -> pd.DataFrame: ...
    def plan_evaluation(self, plan: str, territory: str | None = None) -> pd.DataFrame: ...
    def territories(self, departement: str, level: str) -> pd.DataFrame: ...
    def territory_name(self, code: str) -> str: ...
    def territory_groups(self, code: str) -> tuple[str, ...]: ...
    def year_bounds(self, departement: str) -> tuple[int, int]: ...
    def indicator_series(
        self, indicators: tuple[str, ...], territories: tuple[str, ...], period: Period, granularity: str
    ) -> pd.DataFrame: ...
    def level_values(self, indicator: str, level: str, departement: str, period: Period) -> pd.DataFrame: ...
    def secret_counts(self, indicators: tuple[str, ...], territories: tuple[str, ...], period: Period) -> pd.DataFrame: ...
    def secret_cells(self, indicators: tuple[str, ...], territories: tuple[str, ...], period: Period, bucket: str) -> pd.DataFrame: ...
    def eviction_chain(self, territory: str, period: Period) -> pd.DataFrame: ...
    def reference_points(self, indicators: tuple[str, ...], territories: tuple[str, ...]) -> pd.DataFrame: ...
    def events(self, departement: str) -> pd.DataFrame: ...
    def plan_structure(self, plan: str) -> pd.DataFrame: ...
    def action_indicators(self, plan: str) -> pd.DataFrame: ...
    def plan_objectives(self, plan: str) -> pd.DataFrame: ...
    def family_tiles(self, territory: str, year: int) -> pd.DataFrame: ...
    def family_objectives(self, plan: str, year: int, territory: str | None) -> pd.DataFrame: ...
    def attention_points(self, departement: str, year: int, level: str = "territoire", territory: str | None = None) -> pd.DataFrame: ...
    def action_progress(self, plan: str) -> pd.DataFrame: ...
    def progress_history(self, plan: str) -> pd.DataFrame: ...
    def source_freshness(self, departement: str) -> pd.DataFrame: ...
    def import_history(self) -> pd.DataFrame: ...
    def map_levels(self, departement: str) -> LevelSet | str: ...
    def dispositifs(self, plan: str) -> pd.DataFrame: ...
    def dispositif_actions(self, plan: str) -> pd.DataFrame: ...
    def dispositif_budgets(self, plan: str) -> pd.DataFrame: ...
    def dispositif_results(self, plan: str) -> pd.DataFrame: ...


class DatabaseLoader:
    """A :class:`Loader` reading through one open connection, uncached (exports, command line, tests)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def plans(self) -> pd.DataFrame:
        return queries.plans(self.conn)

    def indicator_catalogue(self) -> pd.DataFrame:
        return queries.indicator_catalogue(self.conn)

    def coverage(self, departement: str) -> pd.DataFrame:
        return queries.coverage(self.conn, departement=departement)

    def latest_complete_year(self, plan: str) -> int | None:
        return objectives.latest_complete_year(self.conn, plan=plan)

    def objective_status_table(self, plan: str, year: int, territory: str | None = None) -> pd.DataFrame:
        return objectives.objective_status_table(self.conn, plan=plan, year=year, territory=territory)

    def plan_evaluation(self, plan: str, territory: str | None = None) -> pd.DataFrame:
        return evaluation.plan_evaluation(self.conn, plan=plan, territory=territory)

    def territories(self, departement: str, level: str) -> pd.DataFrame:
        return queries.territories(self.conn, departement=departement, level=level)

    def territory_name(self, code: str) -> str:
        return queries.territory_name(self.conn, code=code)

    def territory_groups(self, code: str) -> tuple[str, ...]:
        return queries.territory_groups(self.conn, code=code)

    def year_bounds(self, departement: str) -> tuple[int, int]:
        return queries.year_bounds(self.conn, departement=departement)

    def indicator_series(self, indicators: tuple[str, ...], territories: tuple[str, ...], period: Period, granularity: str) -> pd.DataFrame:
        return queries.indicator_series(
            self.conn, indicators=indicators, territories=territories, period=period, granularity=Granularity(granularity)
        )

    def level_values(self, indicator: str, level: str, departement: str, period: Period) -> pd.DataFrame:
        return queries.level_values(self.conn, indicator=indicator, level=level, departement=departement, period=period)

    def secret_counts(self, indicators: tuple[str, ...], territories: tuple[str, ...], period: Period) -> pd.DataFrame:
        return queries.secret_counts(self.conn, indicators=indicators, territories=territories, period=period)

    def secret_cells(self, indicators: tuple[str, ...], territories: tuple[str, ...], period: Period, bucket: str) -> pd.DataFrame:
        return queries.secret_cells(self.conn, indicators=indicators, territories=territories, period=period, bucket=bucket)  # type: ignore[arg-type]

    def eviction_chain(self, territory: str, period: Period) -> pd.DataFrame:
        return queries.eviction_chain(self.conn, territory=territory, period=period)

    def reference_points(self, indicators: tuple[str, ...], territories: tuple[str, ...]) -> pd.DataFrame:
        return queries.reference_points(self.conn, indicators=indicators, territories=territories)

    def events(self, departement: str) -> pd.DataFrame:
        return queries.events(self.conn, departement=departement)

    def plan_structure(self, plan: str) -> pd.DataFrame:
        return queries.plan_structure(self.conn, plan=plan)

    def action_indicators(self, plan: str) -> pd.DataFrame:
        return queries.action_indicators(self.conn, plan=plan)

    def plan_objectives(self, plan: str) -> pd.DataFrame:
        return queries.plan_objectives(self.conn, plan=plan)

    def family_tiles(self, territory: str, year: int) -> pd.DataFrame:
        return overview.family_tiles(self.conn, territory=territory, year=year)

    def family_objectives(self, plan: str, year: int, territory: str | None) -> pd.DataFrame:
        return overview.family_objectives(self.conn, plan=plan, year=year, territory=territory)

    def attention_points(self, departement: str, year: int, level: str = "territoire", territory: str | None = None) -> pd.DataFrame:
        return overview.attention_points(self.conn, departement=departement, year=year, level=level, territory=territory)

    def action_progress(self, plan: str) -> pd.DataFrame:
        """The plan's follow-up: one row per fiche-action and year, recorded or not."""
        return progress.progress_table(self.conn, plan)

    def progress_history(self, plan: str) -> pd.DataFrame:
        """Every change of the plan's follow-up, newest first."""
        return progress.progress_history(self.conn, plan)

    def source_freshness(self, departement: str) -> pd.DataFrame:
        return overview.source_freshness(self.conn, departement=departement)

    def import_history(self) -> pd.DataFrame:
        return list_batches(self.conn)

    def map_levels(self, departement: str) -> LevelSet | str:
        """The département's drawing layers, or the French message saying why there are none."""
        try:
            return load_levels(departement, queries.memberships(self.conn, departement=departement), allow_download=False)
        except UserError as error:
            return unavailable_message(error)

    def dispositifs(self, plan: str) -> pd.DataFrame:
        return dispositifs.dispositif_table(self.conn, plan)

    def dispositif_actions(self, plan: str) -> pd.DataFrame:
        return dispositifs.dispositif_actions(self.conn, plan)

    def dispositif_budgets(self, plan: str) -> pd.DataFrame:
        return dispositifs.dispositif_budgets(self.conn, plan)

    def dispositif_results(self, plan: str) -> pd.DataFrame:
        return dispositifs.dispositif_results(self.conn, plan)
