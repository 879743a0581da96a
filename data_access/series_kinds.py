"""Demo or real: what the database holds, per indicator and département, in the import page's words.

An (indicator, département) series holds « données de démonstration » (values of the demo batch),
« données réelles » (values of imports, or of reference loads such as INSEE's households), both
(imported values next to demo ones: stored before real data replaced demo data series by series),
or nothing. A published reference point (« repères publiés », e.g. the département's total of one
year) beside a demo series does not make it real: the series stays « données de démonstration ». An import makes every series it writes real: the
demo values of those series are removed in the same transaction (``Preview.demo_removed``), and
reverting the import brings them back.

>>> kind_label(0, 12)
'données de démonstration'
>>> kind_label(30, 0)
'données réelles'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
from sqlalchemy import Connection, case, func, select

from data_access.models import ImportBatch, Indicator, Observation, Territory

REAL, DEMO, MIXED, NONE = "données réelles", "données de démonstration", "données réelles et de démonstration", "aucune donnée"
COLUMNS = ["indicator_code", "departement", "imported", "reference", "demo"]


def kind_label(imported: int, demo: int, reference: int = 0) -> str:
    """The French words for a series holding ``imported`` imported, ``demo`` demo and ``reference``
    reference values."""
    if imported and demo:
        return MIXED
    if demo:
        return DEMO
    return REAL if imported or reference else NONE


def stored_kinds(conn: Connection, departements: Iterable[str]) -> pd.DataFrame:
    """Per indicator and département: how many real and how many demo values are stored (COLUMNS).

    Values of reverted batches are not stored any more and are not counted; series without any
    value are left out."""
    chosen = sorted({str(d) for d in departements})
    if not chosen:
        return pd.DataFrame(columns=COLUMNS)

    def of_kind(kind: str):  # type: ignore[no-untyped-def]
        return func.sum(case((ImportBatch.kind == kind, 1), else_=0))

    rows = conn.execute(
        select(Observation.indicator_code, Territory.departement_code, of_kind("import"), of_kind("reference"), of_kind("demo"))
        .join(Territory, Territory.code == Observation.territory_code)
        .join(ImportBatch, ImportBatch.id == Observation.import_batch_id)
        .where(Territory.departement_code.in_(chosen), ImportBatch.reverted_at.is_(None))
        .group_by(Observation.indicator_code, Territory.departement_code)
    ).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=COLUMNS)
    return frame.astype({"imported": int, "reference": int, "demo": int}).sort_values(["departement", "indicator_code"], ignore_index=True)


def kinds_table(conn: Connection, departement: str) -> pd.DataFrame:
    """What the import page shows for ``departement``: Indicateur, Code, Données en base, Valeurs
    réelles, Valeurs de démonstration (one row per indicator holding values there)."""
    kinds = stored_kinds(conn, [departement])
    labels = _labels(conn)
    return pd.DataFrame(
        {
            "Indicateur": [labels.get(c, c) for c in kinds["indicator_code"]],
            "Code": kinds["indicator_code"],
            "Données en base": [kind_label(i, d, r) for i, d, r in zip(kinds["imported"], kinds["demo"], kinds["reference"], strict=True)],
            "Valeurs réelles": kinds["imported"] + kinds["reference"],
            "Valeurs de démonstration": kinds["demo"],
        }
    )


def before_after(conn: Connection, written: Iterable[tuple[str, str]], demo_removed: Mapping[tuple[str, str], int]) -> pd.DataFrame:
    """For each (indicator, département) an import writes: Indicateur, Code, Département, Avant
    l'import, Après l'import. After it, the series is real: its demo values (``demo_removed``,
    as counted by the preview) are replaced or removed."""
    pairs = sorted(set(written))
    columns = ["Indicateur", "Code", "Département", "Avant l'import", "Après l'import", "Valeurs de démonstration retirées"]
    if not pairs:
        return pd.DataFrame(columns=columns)
    kinds = stored_kinds(conn, {d for _, d in pairs})
    counts = {
        (str(i), str(d)): (int(n), int(r), int(m))
        for i, d, n, r, m in kinds[["indicator_code", "departement", "imported", "reference", "demo"]].itertuples(index=False, name=None)
    }
    labels = _labels(conn)
    rows = []
    for indicator, departement in pairs:
        imported, reference, demo = counts.get((indicator, departement), (0, 0, 0))
        rows.append(
            [
                labels.get(indicator, indicator),
                indicator,
                departement,
                kind_label(imported, demo, reference),
                REAL,
                int(demo_removed.get((indicator, departement), 0)),
            ]
        )
    return pd.DataFrame(rows, columns=columns)


def _labels(conn: Connection) -> dict[str, str]:
    return {str(c): str(label) for c, label in conn.execute(select(Indicator.code, Indicator.label))}
