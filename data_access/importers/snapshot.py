"""A long or wide file declared complete: what it does not list there is zero (issue 16).

The rule (README, « Un fichier déclaré complet »): a file imported with « Le fichier est complet »
(``ImportOptions.complete``, ``--complete``) lists, for each indicator, time step and period it
holds and each level of territory it gives values for, every territory of that level in its
départements. A territory of that level that holds a stored real value there (not zero) but is
absent from the file is given zero: a count that fell to zero in a newer table is corrected, as a
Histologe export corrects its months. Nothing else is written: inside a commune-level series'
coverage, a month without any value already counts as zero (:mod:`data_access.aggregation`), and
demo values are replaced anyway (:mod:`data_access.demo`).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, String, cast, select

from data_access.french import fr_number
from data_access.importers.referential import Referential
from data_access.models import ImportBatch, Observation, Territory

KEY = ["indicator_code", "granularity", "period_start", "territory_code"]
GROUP = ["indicator_code", "granularity", "period_start", "level", "departement_code"]


def absent_zeros(conn: Connection, valid: pd.DataFrame, ref: Referential, status: str | None) -> pd.DataFrame:
    """Rows of zeros (``valid``'s columns, ``line`` missing, ``status`` or « définitif », no source)
    for the stored real values that a complete file leaves out (see the module docstring); empty
    when there are none."""
    if valid.empty:
        return valid.iloc[0:0]
    placed = valid.join(ref.territories[["level", "departement_code"]], on="territory_code")
    declared = placed[GROUP].drop_duplicates()
    declared = declared[declared["departement_code"].notna()]  # France, a département's own code: nothing below it
    if declared.empty:
        return valid.iloc[0:0]
    o, t = Observation, Territory
    stmt = (
        select(o.indicator_code, o.granularity, cast(o.period_start, String), o.territory_code, t.level, t.departement_code)
        .join(t, t.code == o.territory_code)
        .join(ImportBatch, ImportBatch.id == o.import_batch_id)
        .where(
            o.indicator_code.in_(sorted(declared["indicator_code"].unique())),
            o.granularity.in_(sorted(declared["granularity"].unique())),
            o.period_start >= declared["period_start"].min().date(),
            o.period_start <= declared["period_start"].max().date(),
            t.departement_code.in_(sorted(declared["departement_code"].unique())),
            ImportBatch.kind != "demo",
            (o.value != 0) | o.secret,
        )
    )
    stored = pd.DataFrame(conn.execute(stmt).all(), columns=[*KEY[:2], "period_start", KEY[3], "level", "departement_code"])
    if stored.empty:
        return valid.iloc[0:0]
    stored["period_start"] = pd.to_datetime(stored["period_start"])
    # only the (indicator, step, period, level, département) the file declares, and only what it does not list
    stored = stored.merge(declared, on=GROUP)
    listed = stored.merge(valid[KEY], on=KEY, how="left", indicator=True)["_merge"] == "both"
    absent = stored[~listed.to_numpy()].reset_index(drop=True)
    zeros = absent[KEY].assign(
        line=pd.array([pd.NA] * len(absent), dtype="Int64"), value=0.0, status=status or "définitif", source=None, secret=False
    )
    return zeros.reindex(columns=valid.columns)


def note(zeros: int) -> str:
    """The preview's note for a file declared complete, with the number of stored values it sets to zero."""
    head = (
        "Fichier lu comme complet : pour chaque indicateur, pas de temps et période qu'il contient, il liste tous les "
        "territoires de son niveau dans son département ; "
    )
    if not zeros:
        return head + "aucune valeur enregistrée ne manque au fichier."
    plural = "s" if zeros > 1 else ""
    return (
        head + f"{fr_number(zeros)} valeur{plural} enregistrée{plural} absente{plural} du fichier passe{'nt' if zeros > 1 else ''} à zéro."
    )
