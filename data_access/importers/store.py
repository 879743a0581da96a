"""The database side of an import: compare with stored values, cross-check, write once, revert.

Writes run on the caller's Connection inside its transaction (``engine.begin()``): either every
value of the file is stored or none is. Replaced values are copied to ``observation_history``
first, so that :func:`revert_batch` restores them exactly, demo values included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import (
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
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
    update,
)

from data_access import writes
from data_access.errors import UserError
from data_access.importers.validation import OBSERVATION_KEY, WARNING, issues_frame
from data_access.models import ImportBatch, ImportBatchDetail, Observation, ObservationHistory, Territory
from data_access.rollup import CHANGE_COLUMNS

# Cross-checks: (indicator that cannot exceed, the one it is part of, what the warning says)
CHAIN_CHECKS = (("cfp_accordes", "cfp_demandes", "concours de la force publique accordés supérieurs aux demandés"),)
SPIKE_FACTOR = 5.0
SPIKE_MIN_VALUE = 10.0  # small counts jump by a factor 5 by chance (1 → 6): no warning below this value
CHANGE_NEW, CHANGE_CHANGED, CHANGE_UNCHANGED = "nouvelle", "modifiée", "inchangée"
LOCAL_TIME = "Europe/Paris"  # times are stored in UTC, shown in French local time
GRANULARITY_ADJECTIVES = {"month": "mensuelles", "quarter": "trimestrielles", "year": "annuelles"}
COMPARED_COLUMNS = ["change", "old_value", "old_status", "old_kind"]

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
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)


def local_time(moment: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time in French local time."""
    from zoneinfo import ZoneInfo

    return moment.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(LOCAL_TIME)).replace(tzinfo=None)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.astype(str).str.slice(0, 10), format="%Y-%m-%d").astype("datetime64[ns]")


def stored_values(conn: Connection, codes: list[str], obs: pd.DataFrame) -> pd.DataFrame:
    """Stored rows of ``codes`` over the granularities, periods and territories of ``obs``.

    Columns: OBSERVATION_KEY, old_value, old_status, old_source, old_batch, old_kind.
    """
    columns = [*OBSERVATION_KEY, "old_value", "old_status", "old_source", "old_batch", "old_kind"]
    if obs.empty or not codes:
        return pd.DataFrame(columns=columns)
    stmt = (
        select(
            Observation.indicator_code,
            Observation.granularity,
            cast(Observation.period_start, String),
            Observation.territory_code,
            Observation.value,
            Observation.status,
            Observation.source,
            Observation.import_batch_id,
            ImportBatch.kind,
        )
        .join(ImportBatch, ImportBatch.id == Observation.import_batch_id)
        .where(
            Observation.indicator_code.in_(codes),
            Observation.granularity.in_(sorted(obs["granularity"].unique())),
            Observation.period_start >= obs["period_start"].min().date(),
            Observation.period_start <= obs["period_start"].max().date(),
        )
    )
    territories = sorted(obs["territory_code"].unique())
    if len(territories) <= 2000:  # a short list narrows the scan; a long one would only slow the statement
        stmt = stmt.where(Observation.territory_code.in_(territories))
    frame = pd.DataFrame([tuple(row) for row in conn.execute(stmt)], columns=columns)
    frame["period_start"] = _dates(frame["period_start"]) if not frame.empty else pd.Series(dtype="datetime64[ns]")
    return frame


def compare(conn: Connection, obs: pd.DataFrame) -> pd.DataFrame:
    """``obs`` with COMPARED_COLUMNS: whether each value is new, changed or unchanged, and what it replaces.

    A value equal to a stored demo value counts as changed: storing it turns a fictitious value into a
    real one (the demo notice disappears where no demo value remains).
    """
    stored = stored_values(conn, sorted(obs["indicator_code"].unique()), obs)
    merged = obs.merge(stored, on=OBSERVATION_KEY, how="left", validate="one_to_one")
    exists = merged["old_value"].notna().to_numpy()
    same = (
        exists
        & np.isclose(merged["value"].astype(float), merged["old_value"].astype(float), rtol=0, atol=1e-9)
        & (merged["status"] == merged["old_status"]).to_numpy()
        & (merged["source"].fillna("") == merged["old_source"].fillna("")).to_numpy()
        & (merged["old_kind"] != "demo").to_numpy()
    )
    merged["change"] = np.where(~exists, CHANGE_NEW, np.where(same, CHANGE_UNCHANGED, CHANGE_CHANGED))
    return merged.drop(columns=["old_source", "old_batch"])


def cross_checks(conn: Connection, obs: pd.DataFrame) -> pd.DataFrame:
    """Warnings on values that look wrong but may be right: an inverted eviction chain, a spike.

    - CHAIN_CHECKS: for the same territory, granularity and period, the part may not exceed the
      whole (CFP accordés ≤ CFP demandés), comparing the file's values overlaid on stored ones;
    - a value more than SPIKE_FACTOR times the mean of the stored values of the same indicator,
      territory and granularity (and at least SPIKE_MIN_VALUE).
    """
    warnings = []
    codes = set(obs["indicator_code"].unique())
    for part, whole, label in CHAIN_CHECKS:
        if not codes & {part, whole}:
            continue
        stored = stored_values(conn, [part, whole], obs)[[*OBSERVATION_KEY, "old_value"]].rename(columns={"old_value": "value"})
        mine = obs[obs["indicator_code"].isin([part, whole])][[*OBSERVATION_KEY, "value", "line"]]
        final = pd.concat([mine, stored], ignore_index=True).drop_duplicates(OBSERVATION_KEY, keep="first")
        key = ["granularity", "period_start", "territory_code"]
        pair = final[final["indicator_code"] == part].merge(final[final["indicator_code"] == whole], on=key, suffixes=("", "_whole"))
        inverted = pair[(pair["value"] > pair["value_whole"]) & (pair["line"].notna() | pair["line_whole"].notna())]
        if not inverted.empty:
            line = inverted["line"].fillna(inverted["line_whole"])
            problem = [
                f"{label} ({_fr(a)} > {_fr(b)}) pour {t}, {_period(p, g)} : la chaîne de la procédure est inversée, vérifiez les deux valeurs"
                for a, b, t, p, g in zip(
                    inverted["value"],
                    inverted["value_whole"],
                    inverted["territory_code"],
                    inverted["period_start"],
                    inverted["granularity"],
                    strict=True,
                )
            ]
            warnings.append(issues_frame(line.to_numpy(), "", "", problem, WARNING))
    means = _stored_means(conn, obs)
    if not means.empty:
        joined = obs.merge(means, on=["indicator_code", "territory_code", "granularity"], how="inner")
        spikes = joined[(joined["mean"] > 0) & (joined["value"] > SPIKE_FACTOR * joined["mean"]) & (joined["value"] >= SPIKE_MIN_VALUE)]
        if not spikes.empty:
            spike_problem = (
                spikes["indicator_code"]
                + ", "
                + spikes["territory_code"]
                + ", "
                + _periods(spikes["period_start"], spikes["granularity"])
                + " : "
                + _fr_series(spikes["value"])
                + f" est plus de {SPIKE_FACTOR:.0f} fois le niveau habituel de ce territoire (moyenne des "
                + spikes["n"].astype(str)
                + " valeurs enregistrées : "
                + _fr_series(spikes["mean"], 1)
                + ") ; vérifiez l'unité, le territoire ou la période"
            )
            warnings.append(issues_frame(spikes["line"].to_numpy(), "", "", spike_problem, WARNING))
        warnings.append(_mixed_granularities(obs, means))
    return pd.concat(warnings, ignore_index=True) if warnings else issues_frame([], [], [], [], WARNING)


def _mixed_granularities(obs: pd.DataFrame, means: pd.DataFrame) -> pd.DataFrame:
    """One warning per indicator, territory and granularity of the file when the database holds
    another granularity of the same series: the pages sum the finest one and ignore the other."""
    stored = means[["indicator_code", "territory_code", "granularity"]].rename(columns={"granularity": "stored"})
    firsts = obs.groupby(["indicator_code", "territory_code", "granularity"], as_index=False)["line"].min()
    mixed = firsts.merge(stored, on=["indicator_code", "territory_code"])
    mixed = mixed[mixed["granularity"] != mixed["stored"]].drop_duplicates(["indicator_code", "territory_code", "granularity"])
    problem = [
        f"{i}, {t} : des valeurs {GRANULARITY_ADJECTIVES[s]} sont déjà enregistrées pour cet indicateur et ce territoire ; "
        f"les pages additionnent la granularité la plus fine, ces valeurs {GRANULARITY_ADJECTIVES[g]} pourraient être ignorées"
        for i, t, g, s in zip(mixed["indicator_code"], mixed["territory_code"], mixed["granularity"], mixed["stored"], strict=True)
    ]
    return issues_frame(mixed["line"].to_numpy(), "", "", problem, WARNING)


def _stored_means(conn: Connection, obs: pd.DataFrame) -> pd.DataFrame:
    """Mean and count of the stored values per indicator, territory and granularity (every granularity)."""
    columns = ["indicator_code", "territory_code", "granularity", "mean", "n"]
    if obs.empty:
        return pd.DataFrame(columns=columns)
    stmt = (
        select(Observation.indicator_code, Observation.territory_code, Observation.granularity, func.avg(Observation.value), func.count())
        .where(
            Observation.indicator_code.in_(sorted(obs["indicator_code"].unique())),
            Observation.granularity.in_(sorted(obs["granularity"].unique())),
        )
        .group_by(Observation.indicator_code, Observation.territory_code, Observation.granularity)
    )
    territories = sorted(obs["territory_code"].unique())
    if len(territories) <= 2000:
        stmt = stmt.where(Observation.territory_code.in_(territories))
    frame = pd.DataFrame([tuple(row) for row in conn.execute(stmt)], columns=columns)
    frame["mean"] = frame["mean"].astype(float)
    return frame


def _fr_series(values: pd.Series, decimals: int = 0) -> pd.Series:
    """French numbers for a column, formatting each distinct value once."""
    return values.map({v: _fr(v, decimals) for v in values.unique()})


def _fr(value: float, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}" if decimals or float(value).is_integer() else f"{value:,.2f}"
    return text.replace(",", "\u202f").replace(".", ",")


def _periods(starts: pd.Series, granularities: pd.Series) -> pd.Series:
    """Vectorised :func:`_period`."""
    year = starts.dt.year.astype(str)
    month = starts.dt.month
    return pd.Series(
        np.where(
            granularities == "year",
            year,
            np.where(
                granularities == "quarter", year + "-T" + ((month - 1) // 3 + 1).astype(str), year + "-" + month.astype(str).str.zfill(2)
            ),
        ),
        index=starts.index,
    )


def _period(start: pd.Timestamp, granularity: str) -> str:
    if granularity == "year":
        return str(start.year)
    if granularity == "quarter":
        return f"{start.year}-T{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


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
    """Store the new and changed values of ``compared`` (from :func:`compare`) as one import batch.

    Changed values are first copied to ``observation_history``, then updated in one set-based
    statement from a temporary table; new values are bulk-inserted. The caller's transaction
    makes the whole write atomic. Raises UserError when nothing is new or changed.
    """
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
        writes.bulk_insert_observations(conn, new[[*OBSERVATION_KEY, "value", "status", "source"]].assign(approx=False), batch_id)
    writes.refresh_coverage(conn, compared["indicator_code"].unique(), _written_changes(new, changed))
    return counts


def _stage(conn: Connection, rows: pd.DataFrame) -> None:
    """Fill the temporary table fast (``writes.bulk_insert_frame``)."""
    data = rows.assign(period_start=rows["period_start"].dt.strftime("%Y-%m-%d"))
    writes.bulk_insert_frame(conn, "import_stage", data)


def _replace(conn: Connection, changed: pd.DataFrame, batch_id: int) -> None:
    """History copy then set-based update of the changed keys, through a temporary table."""
    conn.exec_driver_sql("DROP TABLE IF EXISTS import_stage")
    STAGE.create(conn)
    _stage(conn, changed[[*OBSERVATION_KEY, "value", "status", "source"]])
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
        .values(value=s.c.value, status=s.c.status, source=s.c.source, approx=False, import_batch_id=batch_id)
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

    def message(self) -> str:
        text = f"Lot n° {self.batch_id} annulé : {self.removed} valeur(s) retirée(s), {self.restored} valeur(s) précédente(s) restaurée(s)"
        if self.restored_demo:
            text += f" (dont {self.restored_demo} de démonstration)"
        text += "."
        if self.not_restored:
            text += (
                f" {self.not_restored} valeur(s) précédente(s) n'ont pas pu être restaurées : leur lot d'origine a été supprimé depuis "
                "(données de démonstration régénérées)."
            )
        return text


def _written_changes(new: pd.DataFrame, changed: pd.DataFrame) -> pd.DataFrame:
    """What an import changes in the stored values (``rollup.CHANGE_COLUMNS``): each new value
    added, each replaced value by its difference (and one demo value less when it was demo)."""
    key = ["indicator_code", "granularity", "territory_code", "period_start"]
    added = new[key].assign(value=new["value"].astype(float), n_values=1, n_demo=0)
    replaced = changed[key].assign(
        value=changed["value"].astype(float) - changed["old_value"].astype(float),
        n_values=0,
        n_demo=-(changed["old_kind"] == "demo").astype(int),
    )
    return pd.concat([added, replaced], ignore_index=True)[CHANGE_COLUMNS]


def _reverted_changes(conn: Connection, batch_id: int, restorable: ColumnElement[bool]) -> pd.DataFrame:
    """What reverting ``batch_id`` changes (``rollup.CHANGE_COLUMNS``): its values removed, the
    values it replaced put back (read before the revert writes anything)."""
    h = ObservationHistory
    key = ["indicator_code", "granularity", "territory_code", "period_start"]
    removed = select(*(getattr(Observation, k) for k in key), -Observation.value, literal(-1), literal(0)).where(
        Observation.import_batch_id == batch_id
    )
    put_back = (
        select(*(getattr(h, k) for k in key), h.value, literal(1), case((ImportBatch.kind == "demo", 1), else_=0))
        .join(ImportBatch, ImportBatch.id == h.import_batch_id)
        .where(restorable)
    )
    return pd.DataFrame(conn.execute(union_all(removed, put_back)).all(), columns=CHANGE_COLUMNS)


def revert_batch(conn: Connection, batch_id: int) -> RevertResult:
    """Undo an import: remove its values and restore the ones it replaced, exactly.

    Refused (UserError) when the batch is not an active import, or when a later import replaced
    some of its values: that one must be reverted first, so that every restore is exact.
    """
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
    existing = select(ImportBatch.id).where(ImportBatch.reverted_at.is_(None))
    restorable = and_(h.batch_id == batch_id, h.import_batch_id.in_(existing))
    changes = _reverted_changes(conn, batch_id, restorable)
    removed = conn.execute(delete(Observation).where(Observation.import_batch_id == batch_id)).rowcount or 0
    columns = ["indicator_code", "granularity", "period_start", "territory_code", "value", "status", "approx", "source", "import_batch_id"]
    conn.execute(insert(Observation).from_select(columns, select(*(getattr(h, c) for c in columns)).where(restorable)))
    restored = conn.execute(select(func.count()).select_from(h).where(restorable)).scalar_one()
    restored_demo = conn.execute(
        select(func.count())
        .select_from(h)
        .join(ImportBatch, ImportBatch.id == h.import_batch_id)
        .where(h.batch_id == batch_id, ImportBatch.kind == "demo")
    ).scalar_one()
    total = conn.execute(select(func.count()).select_from(h).where(h.batch_id == batch_id)).scalar_one()
    conn.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(reverted_at=_now()))
    writes.refresh_coverage(conn, codes, changes)
    return RevertResult(batch_id, int(removed), int(restored), int(restored_demo), int(total - restored))


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


def territory_names(conn: Connection, codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(conn.execute(select(Territory.code, Territory.name).where(Territory.code.in_(codes))).all())
