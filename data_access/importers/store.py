"""The writing side of an import: store the compared values once, revert, list the batches.

Writes run on the caller's Connection inside its transaction (``engine.begin()``): either every
value of the file is stored or none is. Replaced values are copied to ``observation_history``
first, so that :func:`revert_batch` restores them exactly, demo values included. The values are
compared with the stored ones beforehand by :mod:`data_access.importers.compare`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Connection,
    Date,
    Float,
    MetaData,
    String,
    Table,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    union_all,
    update,
)

from data_access import demo, writes
from data_access.errors import UserError
from data_access.french import fr_number
from data_access.importers.compare import CHANGE_CHANGED, CHANGE_NEW, CHANGE_UNCHANGED
from data_access.importers.validation import OBSERVATION_KEY
from data_access.models import ImportBatch, ImportBatchDetail, Observation, ObservationHistory
from data_access.rollup import CHANGE_COLUMNS
from data_access.write_lock import take_write_lock

LOCAL_TIME = "Europe/Paris"  # times are stored in UTC, shown in French local time

_stage_metadata = MetaData()
STAGE = Table(
    "import_stage",
    _stage_metadata,
    Column("indicator_code", String(60)),
    Column("granularity", String(8)),
    Column("period_start", Date),
    Column("territory_code", String(60)),
    Column("value", Float),
    Column("status", String(12)),
    Column("source", String(300)),
    Column("secret", Boolean),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)


def local_time(moment: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time in French local time."""
    from zoneinfo import ZoneInfo

    return moment.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(LOCAL_TIME)).replace(tzinfo=None)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


# --- writing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SameImport:
    batch_id: int
    created_at: dt.datetime
    user_name: str


def same_import(conn: Connection, sha256: str, fingerprint: str) -> SameImport | None:
    """The active (not reverted) import of the same file read the same way, if any."""
    row = conn.execute(
        select(ImportBatch.id, ImportBatch.created_at, ImportBatch.user_name)
        .join(ImportBatchDetail, ImportBatchDetail.batch_id == ImportBatch.id)
        .where(
            ImportBatch.sha256 == sha256,
            ImportBatch.kind == "import",
            ImportBatch.reverted_at.is_(None),
            ImportBatchDetail.options == fingerprint,
        )
        .order_by(ImportBatch.id.desc())
    ).first()
    return SameImport(row[0], row[1], row[2]) if row else None


@dataclass(frozen=True)
class WriteCounts:
    batch_id: int
    new: int
    changed: int
    unchanged: int
    replaced_demo: int
    removed_demo: dict[tuple[str, str], int] = field(default_factory=dict)


def write_observations(
    conn: Connection,
    compared: pd.DataFrame,
    *,
    file_name: str,
    sha256: str,
    user_name: str,
    source: str | None,
    detail: dict[str, object],
) -> WriteCounts:
    """Store the new and changed values of ``compared`` (from
    :func:`data_access.importers.compare.compare`) as one import batch.

    Changed values are first copied to ``observation_history``, then updated in one set-based
    statement from a temporary table; new values are bulk-inserted. The caller's transaction
    makes the whole write atomic. Raises UserError when nothing is new or changed.

    Real replaces demo: the demo values left of every (indicator, département) the file holds values
    for are then removed, copied to ``observation_history`` under this batch first, so that
    :func:`revert_batch` brings them back; no total then adds real and fictitious values.

    ``compared`` must have been computed under the write lock of this transaction (taken here if
    it was not): the history and the rollup changes come from its ``old_*`` columns.
    """
    take_write_lock(conn)
    new = compared[compared["change"] == CHANGE_NEW]
    changed = compared[compared["change"] == CHANGE_CHANGED]
    if new.empty and changed.empty:
        raise UserError("Toutes les valeurs du fichier sont déjà enregistrées à l'identique : rien à importer.")
    batch_id = writes.create_batch(
        conn, kind="import", file_name=file_name[:300], sha256=sha256, rows=len(compared), user_name=user_name[:200], source=source
    )
    counts = WriteCounts(
        batch_id, len(new), len(changed), int((compared["change"] == CHANGE_UNCHANGED).sum()), int((changed["old_kind"] == "demo").sum())
    )
    conn.execute(
        insert(ImportBatchDetail).values(
            batch_id=batch_id,
            new_values=counts.new,
            changed_values=counts.changed,
            unchanged_values=counts.unchanged,
            indicator_codes=",".join(sorted(compared["indicator_code"].unique())),
            **detail,
        )
    )
    if not changed.empty:
        _replace(conn, changed, batch_id)
    if not new.empty:
        writes.bulk_insert_observations(conn, new[[*OBSERVATION_KEY, "value", "status", "source", "secret"]].assign(approx=False), batch_id)
    removed = demo.remove_demo(conn, pairs=demo.series_of(conn, compared), history_batch=batch_id, refresh=False)
    # many demo values removed: rebuilding the indicators' rollup costs less than adding each change
    writes.refresh_coverage(conn, compared["indicator_code"].unique(), None if removed else _written_changes(new, changed))
    return WriteCounts(counts.batch_id, counts.new, counts.changed, counts.unchanged, counts.replaced_demo, removed)


def _stage(conn: Connection, rows: pd.DataFrame) -> None:
    """Fill the temporary table fast (``writes.bulk_insert_frame``)."""
    data = rows.assign(period_start=rows["period_start"].dt.strftime("%Y-%m-%d"))
    writes.bulk_insert_frame(conn, "import_stage", data)


def _replace(conn: Connection, changed: pd.DataFrame, batch_id: int) -> None:
    """History copy then set-based update of the changed keys, through a temporary table."""
    conn.exec_driver_sql("DROP TABLE IF EXISTS import_stage")
    STAGE.create(conn)
    _stage(conn, changed[[*OBSERVATION_KEY, "value", "status", "source", "secret"]].astype({"secret": bool}))
    s = STAGE
    same_key = and_(*(getattr(Observation, k) == s.c[k] for k in OBSERVATION_KEY))
    history_columns = list(writes.OBSERVATION_COLUMNS)
    conn.execute(
        insert(ObservationHistory).from_select(
            ["batch_id", *history_columns],
            select(literal(batch_id), *(getattr(Observation, c) for c in history_columns)).join(s, same_key),
        )
    )
    conn.execute(
        update(Observation)
        .where(same_key)
        .values(value=s.c.value, status=s.c.status, source=s.c.source, secret=s.c.secret, approx=False, import_batch_id=batch_id)
    )
    conn.exec_driver_sql("DROP TABLE IF EXISTS import_stage")


# --- revert and listing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RevertResult:
    batch_id: int
    removed: int
    restored: int
    restored_demo: int
    not_restored: int
    handed_over: dict[int, int] = field(default_factory=dict)  # receiving import → demo values kept out for it

    def message(self) -> str:
        text = (
            f"Lot n° {self.batch_id} annulé : {fr_number(self.removed)} valeur(s) retirée(s), "
            f"{fr_number(self.restored)} valeur(s) précédente(s) restaurée(s)"
        )
        if self.restored_demo:
            text += f" (dont {fr_number(self.restored_demo)} de démonstration)"
        text += "."
        if self.not_restored:
            text += (
                f" {fr_number(self.not_restored)} valeur(s) précédente(s) n'ont pas pu être restaurées : leur lot d'origine a été supprimé depuis "
                "(données de démonstration régénérées), ou un import plus récent a enregistré une valeur réelle à leur place."
            )
        if self.handed_over:
            listed = ", ".join(f"n° {b}" for b in sorted(self.handed_over))
            text += (
                f" {fr_number(sum(self.handed_over.values()))} valeur(s) de démonstration ne sont pas rétablies : les mêmes indicateurs ont "
                f"encore des valeurs réelles dans le département (lot(s) {listed}), que la démonstration ne rejoint pas ; "
                "elles reviendront quand ce(s) lot(s) seront annulés à leur tour."
            )
        return text


def _written_changes(new: pd.DataFrame, changed: pd.DataFrame) -> pd.DataFrame:
    """What an import changes in the stored values (``rollup.CHANGE_COLUMNS``): each new value
    added, each replaced value by its difference (and one demo value less when it was demo)."""
    key = ["indicator_code", "granularity", "territory_code", "period_start"]
    added = new[key].assign(value=new["value"].astype(float), n_values=1, n_demo=0, n_secret=new["secret"].astype(int))
    replaced = changed[key].assign(
        value=changed["value"].astype(float) - changed["old_value"].astype(float),
        n_values=0,
        n_demo=-(changed["old_kind"] == "demo").astype(int),
        n_secret=changed["secret"].astype(int) - changed["old_secret"].astype(int),
    )
    return pd.concat([added, replaced], ignore_index=True)[CHANGE_COLUMNS]


def _reverted_changes(conn: Connection, batch_id: int, restorable: ColumnElement[bool]) -> pd.DataFrame:
    """What reverting ``batch_id`` changes (``rollup.CHANGE_COLUMNS``): its values removed, the
    values it replaced put back (read before the revert writes anything)."""
    h = ObservationHistory
    key = ["indicator_code", "granularity", "territory_code", "period_start"]
    removed = select(
        *(getattr(Observation, k) for k in key), -Observation.value, literal(-1), literal(0), -case((Observation.secret, 1), else_=0)
    ).where(Observation.import_batch_id == batch_id)
    put_back = (
        select(
            *(getattr(h, k) for k in key), h.value, literal(1), case((ImportBatch.kind == "demo", 1), else_=0), case((h.secret, 1), else_=0)
        )
        .join(ImportBatch, ImportBatch.id == h.import_batch_id)
        .where(restorable)
    )
    return pd.DataFrame(conn.execute(union_all(removed, put_back)).all(), columns=CHANGE_COLUMNS)


def revert_batch(conn: Connection, batch_id: int) -> RevertResult:
    """Undo an import: remove its values and restore the ones it replaced, exactly.

    Refused (UserError) when the batch is not an active import, or when a later import replaced
    some of its values: that one must be reverted first, so that every restore is exact. Takes the
    write lock first (``data_access.write_lock``): what it restores is read after any other writer.
    """
    take_write_lock(conn)
    batch = conn.execute(select(ImportBatch.kind, ImportBatch.reverted_at).where(ImportBatch.id == batch_id)).first()
    if batch is None:
        raise UserError(f"Aucun lot n° {batch_id} : voyez la liste avec « python -m data_access batches ».")
    if batch.kind != "import":
        raise UserError(f"Le lot n° {batch_id} est un chargement de nature « {batch.kind} », pas un import : il ne s'annule pas ici.")
    if batch.reverted_at is not None:
        raise UserError(f"Le lot n° {batch_id} a déjà été annulé le {local_time(batch.reverted_at):%d/%m/%Y à %H:%M} : rien à faire.")
    h = ObservationHistory
    later = conn.execute(
        select(h.batch_id, func.count())
        .join(ImportBatch, ImportBatch.id == h.batch_id)
        .where(h.import_batch_id == batch_id, ImportBatch.reverted_at.is_(None))
        .group_by(h.batch_id)
        .order_by(h.batch_id)
    ).all()
    if later:
        listed = ", ".join(f"n° {b} ({n} valeur(s))" for b, n in later)
        raise UserError(
            f"Des valeurs du lot n° {batch_id} ont été remplacées depuis par le(s) lot(s) {listed} : annulez d'abord ce(s) lot(s), "
            "du plus récent au plus ancien."
        )
    codes = set(conn.scalars(select(Observation.indicator_code).where(Observation.import_batch_id == batch_id).distinct()))
    codes |= set(conn.scalars(select(h.indicator_code).where(h.batch_id == batch_id).distinct()))
    # the demo values of a series that a later import still holds real values of stay out, for that import
    handed_over = demo.hand_over_demo(conn, batch_id)
    existing = select(ImportBatch.id).where(ImportBatch.reverted_at.is_(None))
    # a demo value this import removed may since have been replaced by a later import's new value
    # (that import found no value there): the later value stays, the demo one is not restored
    occupied = exists().where(*(getattr(Observation, k) == getattr(h, k) for k in OBSERVATION_KEY), Observation.import_batch_id != batch_id)
    restorable = and_(h.batch_id == batch_id, h.import_batch_id.in_(existing), ~occupied)
    demo_batches = select(ImportBatch.id).where(ImportBatch.kind == "demo")
    restored_demo = conn.execute(select(func.count()).select_from(h).where(restorable, h.import_batch_id.in_(demo_batches))).scalar_one()
    # many demo values put back (an import that replaced demo series): rebuild rather than add each change
    changes = _reverted_changes(conn, batch_id, restorable) if restored_demo < 1000 else None
    restored = conn.execute(select(func.count()).select_from(h).where(restorable)).scalar_one()  # before they occupy their keys
    removed = conn.execute(delete(Observation).where(Observation.import_batch_id == batch_id)).rowcount or 0
    columns = list(writes.OBSERVATION_COLUMNS)
    conn.execute(insert(Observation).from_select(columns, select(*(getattr(h, c) for c in columns)).where(restorable)))
    total = conn.execute(select(func.count()).select_from(h).where(h.batch_id == batch_id)).scalar_one()
    conn.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(reverted_at=_now()))
    writes.refresh_coverage(conn, codes, changes)
    return RevertResult(batch_id, int(removed), int(restored), int(restored_demo), int(total - restored), handed_over)


BATCH_COLUMNS = {
    "id": "Lot",
    "kind": "Nature",
    "file_name": "Fichier",
    "format": "Format",
    "created_at": "Importé le",
    "user_name": "Par",
    "rows": "Valeurs",
    "new_values": "Nouvelles",
    "changed_values": "Modifiées",
    "unchanged_values": "Inchangées",
    "excluded_rows": "Lignes exclues",
    "indicator_codes": "Indicateurs",
    "reverted_at": "Annulé le",
}


def list_batches(conn: Connection, *, kind: str | None = None) -> pd.DataFrame:
    """Every load, most recent first, with French column labels (BATCH_COLUMNS values)."""
    d = ImportBatchDetail
    stmt = (
        select(
            ImportBatch.id,
            ImportBatch.kind,
            ImportBatch.file_name,
            d.format,
            ImportBatch.created_at,
            ImportBatch.user_name,
            ImportBatch.rows,
            d.new_values,
            d.changed_values,
            d.unchanged_values,
            d.excluded_rows,
            d.indicator_codes,
            ImportBatch.reverted_at,
        )
        .outerjoin(d, d.batch_id == ImportBatch.id)
        .order_by(ImportBatch.id.desc())
    )
    if kind is not None:
        stmt = stmt.where(ImportBatch.kind == kind)
    frame = pd.DataFrame([tuple(r) for r in conn.execute(stmt)], columns=list(BATCH_COLUMNS))
    for column in ("new_values", "changed_values", "unchanged_values", "excluded_rows"):
        frame[column] = frame[column].astype("Int64")
    for column in ("created_at", "reverted_at"):
        frame[column] = pd.to_datetime(frame[column]).dt.tz_localize("UTC").dt.tz_convert(LOCAL_TIME).dt.tz_localize(None)
    return frame.rename(columns=BATCH_COLUMNS)


def detail_options(
    format_used: str, sheet: str | None, fingerprint: str, file_rows: int, excluded: int, warnings: int
) -> dict[str, object]:
    return {
        "format": format_used,
        "sheet": sheet,
        "options": fingerprint,
        "file_rows": file_rows,
        "excluded_rows": excluded,
        "warnings": warnings,
    }
