"""The reading side of an import: compare the file's values with the stored ones, cross-check them.

:func:`compare` classifies each incoming value as new, changed or unchanged (and says what it
replaces); :func:`granularity_conflicts` refuses values whose granularity differs from their
series'; :func:`cross_checks` warns about values that look wrong against the stored ones. Nothing
is written here: :mod:`data_access.importers.store` writes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection, String, cast, func, select

from data_access.french import fr_number
from data_access.importers.validation import ERROR, OBSERVATION_KEY, WARNING, issues_frame
from data_access.models import ImportBatch, Observation

# Cross-checks: (indicator that cannot exceed, the one it is part of, what the warning says)
CHAIN_CHECKS = (("cfp_accordes", "cfp_demandes", "concours de la force publique accordés supérieurs aux demandés"),)
SPIKE_FACTOR = 5.0
SPIKE_MIN_VALUE = 10.0  # small counts jump by a factor 5 by chance (1 → 6): no warning below this value
CHANGE_NEW, CHANGE_CHANGED, CHANGE_UNCHANGED = "nouvelle", "modifiée", "inchangée"
GRANULARITY_ADJECTIVES = {"month": "mensuelles", "quarter": "trimestrielles", "year": "annuelles"}
FINEST_FIRST = ("month", "quarter", "year")


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.astype(str).str.slice(0, 10), format="%Y-%m-%d").astype("datetime64[ns]")


def stored_values(conn: Connection, codes: list[str], obs: pd.DataFrame) -> pd.DataFrame:
    """Stored rows of ``codes`` over the granularities, periods and territories of ``obs``.

    Columns: OBSERVATION_KEY, old_value, old_status, old_source, old_batch, old_kind, old_secret.
    """
    columns = [*OBSERVATION_KEY, "old_value", "old_status", "old_source", "old_batch", "old_kind", "old_secret"]
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
            Observation.secret,
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
    """``obs`` with ``change`` (CHANGE_NEW, CHANGE_CHANGED or CHANGE_UNCHANGED) and what each value
    replaces: ``old_value``, ``old_status``, ``old_kind``, ``old_secret``; ``secret`` (False when
    ``obs`` has no such column: Histologe counts are never secret).

    A secret cell and a stored value are the same only when both are secret: a secret replacing a
    published 0 (or the reverse) is a change.

    A value equal to a stored demo value counts as changed: storing it turns a fictitious value into a
    real one (the demo notice disappears where no demo value remains).

    A row that names no source (no « source » cell, no ``--source`` option) and whose value equals
    the stored real one keeps the stored source: re-importing a table that does not cite its
    sources never erases a citation, and such a value is « inchangée » when its status is too.
    """
    obs = obs.drop(columns=["old_secret"], errors="ignore")  # a preview's rows compared again
    obs = obs.assign(secret=obs["secret"].fillna(False).astype(bool) if "secret" in obs else False)
    stored = stored_values(conn, sorted(obs["indicator_code"].unique()), obs)
    merged = obs.merge(stored, on=OBSERVATION_KEY, how="left", validate="one_to_one")
    exists = merged["old_value"].notna().to_numpy()
    merged["old_secret"] = merged["old_secret"].astype("boolean").fillna(False).astype(bool)
    equal = (
        exists
        & np.isclose(merged["value"].astype(float), merged["old_value"].astype(float), rtol=0, atol=1e-9)
        & (merged["secret"] == merged["old_secret"]).to_numpy()
    )
    real = (merged["old_kind"] != "demo").to_numpy()
    uncited = (merged["source"].isna() | (merged["source"].astype(str).str.strip() == "")).to_numpy()
    merged["source"] = merged["source"].astype(object).where(~(uncited & equal & real), merged["old_source"])
    same = (
        equal
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
                f"{label} ({_fr(a)} > {_fr(b)}) pour {t}, {period_text(p, g)} : la chaîne de la procédure est inversée, vérifiez les deux valeurs"
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
    return pd.concat(warnings, ignore_index=True) if warnings else issues_frame([], [], [], [], WARNING)


def granularity_conflicts(conn: Connection, obs: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """The rows of ``obs`` whose granularity differs from their series' (same indicator and
    territory), and one error per refused (indicator, territory, granularity) at its first line.

    A series has one granularity: the finest of its real stored values (demo values are replaced
    by an import of the same series), or else the finest of the file. The pages sum one
    granularity per series and would ignore the other values, so they are refused, never stored
    silently. Returns (a boolean mask over ``obs``'s rows, the errors).
    """
    series = ["indicator_code", "territory_code"]
    stored = _stored_granularities(conn, obs)
    in_file = obs[[*series, "granularity"]].drop_duplicates().assign(where="dans ce fichier")
    both = pd.concat([stored.assign(where="déjà enregistrées"), in_file], ignore_index=True)
    both["rank"] = both["granularity"].map({g: i for i, g in enumerate(FINEST_FIRST)})
    both["stored"] = both["where"] != "dans ce fichier"
    chosen = both.sort_values(["stored", "rank"], ascending=[False, True]).drop_duplicates(series)
    chosen = chosen.rename(columns={"granularity": "series_granularity"})[[*series, "series_granularity", "where"]]
    joined = obs[[*series, "granularity", "line"]].merge(chosen, on=series, how="left")
    refused = (joined["granularity"] != joined["series_granularity"]).to_numpy()
    if not refused.any():
        return refused, issues_frame([], [], [], [], ERROR)
    groups = joined[refused].groupby([*series, "granularity", "series_granularity", "where"], sort=True, dropna=False)
    first = groups["line"].min().reset_index().merge(groups.size().rename("n").reset_index())
    problem = [
        f"{i}, {t} : des valeurs {GRANULARITY_ADJECTIVES[s]} de cet indicateur et de ce territoire sont {w} ; les pages "
        f"additionnent une seule granularité par série et ignoreraient ces {n} valeur(s) {GRANULARITY_ADJECTIVES[g]}, refusées : "
        f"importez des valeurs {GRANULARITY_ADJECTIVES[s]}, ou annulez d'abord l'import des autres"
        for i, t, g, s, w, n in first[[*series, "granularity", "series_granularity", "where", "n"]].itertuples(index=False)
    ]
    return refused, issues_frame(first["line"].to_numpy(), "", "", problem, ERROR)


def _stored_granularities(conn: Connection, obs: pd.DataFrame) -> pd.DataFrame:
    """The granularities of the real (not demo) stored values of the indicators and territories of ``obs``."""
    columns = ["indicator_code", "territory_code", "granularity"]
    stmt = (
        select(Observation.indicator_code, Observation.territory_code, Observation.granularity)
        .join(ImportBatch, ImportBatch.id == Observation.import_batch_id)
        .where(Observation.indicator_code.in_(sorted(obs["indicator_code"].unique())), ImportBatch.kind != "demo")
        .distinct()
    )
    territories = sorted(obs["territory_code"].unique())
    if len(territories) <= 2000:  # a short list narrows the scan; a long one would only slow the statement
        stmt = stmt.where(Observation.territory_code.in_(territories))
    frame = pd.DataFrame([tuple(row) for row in conn.execute(stmt)], columns=columns)
    return frame[frame["territory_code"].isin(territories)]


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
    return fr_number(value, decimals if decimals or float(value).is_integer() else 2)


def _periods(starts: pd.Series, granularities: pd.Series) -> pd.Series:
    """Vectorised :func:`period_text`."""
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


def period_text(start: pd.Timestamp, granularity: str) -> str:
    """A period as the files write it: ``2024``, ``2024-T1`` or ``2024-03``."""
    if granularity == "year":
        return str(start.year)
    if granularity == "quarter":
        return f"{start.year}-T{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"
