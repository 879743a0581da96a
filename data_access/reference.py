"""Real reference data, loaded as batches of kind ``reference``.

- ``reference/france-procedure-expulsion.csv``: the national eviction chain, territory ``FR``,
  yearly, with its gaps and ``approx`` flags;
- INSEE context per commune: legal population (2023) and households (RP 2021);
- the national events annotated on trend charts.

A département's published reference points (``reference/isere-reperes-publies.csv`` for Isère)
are declared by its plan (``reperes_publies`` in plan.yaml) and loaded with the plan
(``data_access.plans.load_plan``, through ``load_published_points``).

Each file is one batch; reloading an unchanged file does nothing, a changed file replaces the
rows of its previous batch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, delete, insert, select

from data_access.french import fr_number
from data_access.models import Event, ImportBatch, Observation, Territory
from data_access.territories import read_csv_text
from data_access.writes import bulk_insert_observations, create_batch, refresh_coverage

# the national file names the CQL differently from the catalogue
INDICATOR_ALIASES = {"commandements_quitter_lieux": "cql"}
NATIONAL_EVENTS = [
    (dt.date(2020, 3, 17), dt.date(2020, 7, 10), "Crise sanitaire : trêve hivernale prolongée jusqu'au 10 juillet 2020"),
    (dt.date(2020, 11, 1), dt.date(2021, 5, 31), "Crise sanitaire : trêve hivernale prolongée jusqu'au 31 mai 2021"),
    (dt.date(2023, 7, 27), None, "Loi « Kasbarian-Bergé » du 27 juillet 2023 : procédure d'expulsion raccourcie"),
]


def published_reference_frame(path: Path, territory: str | None = None) -> pd.DataFrame:
    """Observation rows from a published-figures CSV (columns annee, indicateur, valeur,
    precision, source and optionally territoire).

    When the file gives two figures for the same indicator and year, the first one is kept and
    the other is quoted in its ``source``, so that no published figure is silently lost.
    """
    raw = read_csv_text(path)
    frame = pd.DataFrame(
        {
            "indicator_code": raw["indicateur"].replace(INDICATOR_ALIASES),
            "granularity": "year",
            "period_start": pd.to_datetime(raw["annee"] + "-01-01"),
            "territory_code": raw.get("territoire", territory),
            "value": raw["valeur"].astype(float),
            "approx": raw["precision"].eq("approx"),
            "source": raw["source"],
        }
    )
    # "idem" repeats the source of the row above in the published table
    frame["source"] = frame["source"].mask(frame["source"].eq("idem")).ffill()
    key = ["indicator_code", "period_start", "territory_code"]
    duplicated = frame.duplicated(key, keep="first")
    for _, alternative in frame[duplicated].iterrows():
        kept = (frame[key] == alternative[key]).all(axis=1) & ~duplicated
        note = f" ; autre estimation publiée : {fr_number(alternative['value'])} ({alternative['source']})"
        frame.loc[kept, "source"] = frame.loc[kept, "source"] + note
    return frame[~duplicated].reset_index(drop=True)


def insee_context_frame(conn: Connection) -> pd.DataFrame:
    """Population (2023) and households (2021) of every commune, as yearly observations."""
    rows = conn.execute(select(Territory.code, Territory.population, Territory.households).where(Territory.level == "commune")).all()
    communes = pd.DataFrame(rows, columns=["territory_code", "population", "households"])
    population = communes.assign(
        indicator_code="population",
        period_start=pd.Timestamp("2023-01-01"),
        value=communes["population"],
        source="INSEE, populations légales 2023",
    )
    households = communes.assign(
        indicator_code="menages", period_start=pd.Timestamp("2021-01-01"), value=communes["households"], source="Insee, RP 2021"
    )
    frame = pd.concat([population, households], ignore_index=True).assign(granularity="year")
    return frame[["indicator_code", "granularity", "period_start", "territory_code", "value", "source"]]


def _load_frame(conn: Connection, frame: pd.DataFrame, file_name: str, sha256: str, source: str) -> int:
    """Store ``frame`` as one reference batch, replacing the previous batch of the same name.

    Returns the number of rows written (0 when the same content is already loaded)."""
    previous = conn.execute(
        select(ImportBatch.id, ImportBatch.sha256).where(ImportBatch.kind == "reference", ImportBatch.file_name == file_name)
    ).all()
    if any(sha == sha256 for _, sha in previous):
        return 0
    if previous:
        conn.execute(delete(Observation).where(Observation.import_batch_id.in_([batch_id for batch_id, _ in previous])))
    batch = create_batch(
        conn, kind="reference", file_name=file_name, sha256=sha256, rows=len(frame), user_name="observatoire", source=source
    )
    count = bulk_insert_observations(conn, frame, batch)
    refresh_coverage(conn, frame["indicator_code"])
    return count


def load_published_points(conn: Connection, path: Path, *, territory: str, source: str) -> int:
    """Load one published-figures CSV as a reference batch named after the file; rows without a
    ``territoire`` column go to ``territory``. Returns the rows written (0: already loaded)."""
    return _load_frame(conn, published_reference_frame(path, territory=territory), path.name, _sha(path.read_bytes()), source)


def load_reference(conn: Connection, shared_data: Path) -> dict[str, int]:
    """Load the national and INSEE reference data sets; returns the rows written per file (0:
    already loaded). The plans' own published points are loaded with each plan."""
    written = {}
    france = shared_data / "reference" / "france-procedure-expulsion.csv"
    written[france.name] = _load_frame(
        conn, published_reference_frame(france, territory="FR"), france.name, _sha(france.read_bytes()), "Séries nationales publiées"
    )
    context = insee_context_frame(conn)
    written["insee-contexte"] = _load_frame(
        conn, context, "insee-contexte", _sha(context.to_csv(index=False).encode()), "INSEE : populations légales 2023, RP 2021"
    )
    if conn.scalar(select(Event.id).limit(1)) is None:
        conn.execute(
            insert(Event),
            [dict(date_start=s, date_end=e, label=label, departement_code=None) for s, e, label in NATIONAL_EVENTS],
        )
    return written


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
