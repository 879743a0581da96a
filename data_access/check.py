"""``python -m data_access check``: is what the pages read consistent with the stored values?

:func:`check_database` compares the derived tables with what the observations say they must
hold, and the import history with the batches:

- ``observation_rollup``: every grouping's sum, count of values, of demo values and of secret
  cells equals the sum of its communes' stored values (``rollup.rollup_sums``);
- ``series_coverage``: every indicator, département, level and granularity stored is listed with
  its first and last period and its counts (``writes.coverage_rows``), and nothing else;
- ``observation_history``: no copy of a replaced value belongs to a batch that is gone, and no
  stored value was replaced twice by imports still active (two imports that both compared with
  the same state: one of them lost the other's values);
- ``observation``: no value belongs to a reverted import.

:func:`repair` rebuilds the derived tables (rollup, coverage) from the observations in the
caller's transaction, under the write lock. The history is not derived: its problems are only
reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, func, select, union

from data_access import writes
from data_access.french import fr_auto, fr_number
from data_access.importers.validation import OBSERVATION_KEY
from data_access.models import ImportBatch, Observation, ObservationHistory, ObservationRollup, SeriesCoverage
from data_access.rollup import COUNTS, ROLLUP_KEY, rollup_sums
from data_access.write_lock import take_write_lock

EXAMPLES = 3  # wrong rows shown per kind of problem
COVERAGE_KEY = ["indicator_code", "departement_code", "level", "granularity"]
COVERAGE_VALUES = ["first_period", "last_period", "n_values", "n_demo"]


@dataclass(frozen=True)
class CheckReport:
    """``problems``: one French sentence per kind of inconsistency found (empty: the database is clean)."""

    problems: tuple[str, ...]
    rollup_rows: int
    coverage_rows: int

    @property
    def clean(self) -> bool:
        return not self.problems

    def text(self) -> str:
        checked = (
            f"{fr_number(self.rollup_rows)} sommes par regroupement, {fr_number(self.coverage_rows)} lignes de couverture "
            "et l'historique des imports vérifiés"
        )
        if self.clean:
            return f"Base cohérente : {checked}, aucune anomalie."
        return "\n".join([f"Anomalies trouvées ({checked}) :", *(f"  - {p}" for p in self.problems)])


def check_database(conn: Connection) -> CheckReport:
    """Compare the derived tables and the history with the observations (reads only)."""
    rollup_problems, rollup_rows = _rollup_problems(conn)
    coverage_problems, coverage_rows = _coverage_problems(conn)
    return CheckReport((*rollup_problems, *coverage_problems, *_history_problems(conn)), rollup_rows, coverage_rows)


def repair(conn: Connection) -> int:
    """Rebuild ``observation_rollup`` and ``series_coverage`` of every indicator found in the
    observations or in them, under the write lock, in the caller's transaction; returns how many
    indicators were rebuilt."""
    take_write_lock(conn)
    codes = set(
        conn.scalars(
            union(
                select(Observation.indicator_code).distinct(),
                select(ObservationRollup.indicator_code).distinct(),
                select(SeriesCoverage.indicator_code).distinct(),
            )
        )
    )
    writes.refresh_coverage(conn, codes)
    return len(codes)


def _differences(expected: pd.DataFrame, stored: pd.DataFrame, key: list[str], values: list[str]) -> pd.DataFrame:
    """The keys whose values differ (float values up to rounding), or that only one side has."""
    merged = expected.merge(stored, on=key, how="outer", suffixes=("", "_stored"), indicator=True)
    wrong = merged["_merge"] != "both"
    for column in values:
        mine, theirs = merged[column], merged[f"{column}_stored"]
        if pd.api.types.is_float_dtype(mine) or pd.api.types.is_float_dtype(theirs):
            a, b = mine.astype(float), theirs.astype(float)
            wrong |= (a - b).abs() > 1e-6 * b.abs().clip(lower=1)
        else:
            wrong |= mine.astype(object).ne(theirs.astype(object)) & mine.notna() & theirs.notna()
    return merged[wrong.fillna(True)]


def _rollup_problems(conn: Connection) -> tuple[list[str], int]:
    expected = pd.DataFrame(conn.execute(rollup_sums()).all(), columns=[*ROLLUP_KEY, *COUNTS])
    r = ObservationRollup
    stored = pd.DataFrame(conn.execute(select(*(getattr(r, c) for c in [*ROLLUP_KEY, *COUNTS]))).all(), columns=[*ROLLUP_KEY, *COUNTS])
    for frame in (expected, stored):
        frame["period_start"] = pd.to_datetime(frame["period_start"])
        frame[COUNTS] = frame[COUNTS].astype(float)
    wrong = _differences(expected, stored, ROLLUP_KEY, COUNTS)
    if wrong.empty:
        return [], len(stored)
    shown = wrong.head(EXAMPLES)
    columns = (shown[c] for c in ("indicator_code", "territory_code", "period_start", "value_stored", "value"))
    examples = "; ".join(
        f"{code}, {territory}, {period:%Y-%m} : {fr_auto(float(kept))} enregistré, {fr_auto(float(value))} d'après les valeurs des communes"
        for code, territory, period, kept, value in zip(*columns, strict=True)
    )
    return [
        f"observation_rollup : {fr_number(len(wrong))} somme(s) par regroupement ne correspondent pas aux valeurs des communes "
        f"(par exemple {examples}). « python -m data_access check --repair » les recalcule."
    ], len(stored)


def _coverage_problems(conn: Connection) -> tuple[list[str], int]:
    columns = [*COVERAGE_KEY, *COVERAGE_VALUES]
    expected = pd.DataFrame(conn.execute(writes.coverage_rows()).all(), columns=columns)
    c = SeriesCoverage
    stored = pd.DataFrame(conn.execute(select(*(getattr(c, k) for k in columns))).all(), columns=columns)
    for frame in (expected, stored):
        frame["departement_code"] = frame["departement_code"].fillna("")
        for column in ("first_period", "last_period"):
            frame[column] = pd.to_datetime(frame[column])
        frame[["n_values", "n_demo"]] = frame[["n_values", "n_demo"]].fillna(0).astype(int)
    wrong = _differences(expected, stored, COVERAGE_KEY, COVERAGE_VALUES)
    if wrong.empty:
        return [], len(stored)
    examples = ", ".join(
        f"{row.indicator_code} ({str(row.departement_code) or 'national'}, {row.level})" for row in wrong.head(EXAMPLES).itertuples()
    )
    return [
        f"series_coverage : {fr_number(len(wrong))} ligne(s) ne décrivent pas les valeurs enregistrées (par exemple {examples}). "
        "« python -m data_access check --repair » les recalcule."
    ], len(stored)


def _history_problems(conn: Connection) -> list[str]:
    h = ObservationHistory
    problems = []
    orphans = conn.scalar(select(func.count()).select_from(h).where(h.batch_id.not_in(select(ImportBatch.id))))
    if orphans:
        problems.append(f"observation_history : {fr_number(orphans)} valeur(s) remplacée(s) rattachée(s) à un import qui n'existe plus.")
    active = select(ImportBatch.id).where(ImportBatch.kind == "import", ImportBatch.reverted_at.is_(None))
    twice = conn.execute(
        select(h.indicator_code, h.territory_code, h.period_start)
        .where(h.batch_id.in_(active))
        .group_by(*(getattr(h, k) for k in OBSERVATION_KEY), h.import_batch_id)
        .having(func.count() > 1)
    ).all()
    if twice:
        examples = "; ".join(f"{code}, {territory}, {period:%Y-%m}" for code, territory, period in twice[:EXAMPLES])
        problems.append(
            f"observation_history : {fr_number(len(twice))} valeur(s) remplacée(s) deux fois par des imports actifs, qui les ont "
            f"comparées au même état (par exemple {examples}) : l'un des deux a perdu les valeurs de l'autre. Annulez ces imports "
            "du plus récent au plus ancien puis réimportez-les l'un après l'autre."
        )
    reverted = select(ImportBatch.id).where(ImportBatch.reverted_at.is_not(None))
    left = conn.scalar(select(func.count()).select_from(Observation).where(Observation.import_batch_id.in_(reverted)))
    if left:
        problems.append(f"observation : {fr_number(left)} valeur(s) appartiennent à un import annulé.")
    return problems
