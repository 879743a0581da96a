"""A realistic long-format import file of fictitious values, for measuring import throughput.

The file looks like a partner's monthly export: ``;`` separator, UTF-8, the long-format header
(``indicateur;territoire;periode;valeur;statut;source``), INSEE commune codes and ``2013-01``
periods. It is accepted by the real import path without errors. Its months start with the demo
data's first month, so that on a database holding the demo it replaces demo values, and on one
without it every value is new: the two cases worth measuring.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from data_access.demo import YEARS
from data_access.models import Indicator, Territory

# Monthly commune-level counts from three partners, with a yearly département total of the same
# order as the Isère's (so that values are not flagged as spikes against the demo data). CFP are
# left out: random values would invert the procedure chain and raise a warning on every commune.
INDICATORS: dict[str, tuple[float, str]] = {
    "assignations": (2700.0, "Préfecture (EXPLOC)"),
    "cql": (1150.0, "Préfecture (EXPLOC)"),
    "fsl_acces_menages": (3300.0, "Département (FSL)"),
    "fsl_maintien_menages": (950.0, "Département (FSL)"),
    "fsl_energie_menages": (3000.0, "Département (FSL)"),
    "signalements_non_decence": (320.0, "SML / Histologe"),
}
HEADER = ["indicateur", "territoire", "periode", "valeur", "statut", "source"]


def write_long_csv(path: Path, conn: Connection, *, rows: int = 100_000, departement: str = "38", seed: int = 0) -> int:
    """Write ``rows`` monthly commune values of ``departement`` to ``path`` and return ``rows``.

    Parameters
    ----------
    path
        The CSV file to (over)write.
    conn
        A database with the indicator catalogue and the plan of ``departement`` loaded.
    rows
        Data rows to write: indicators × communes × months, months added from January 2013 until
        there are enough (the last month may be partial).
    departement
        Département code whose communes (``territory`` table, level ``commune``) carry the values.
    seed
        The values are Poisson counts drawn from this seed: the same arguments write the same file.

    Raises ValueError when the département has no commune or an indicator of INDICATORS is not in
    the catalogue with a monthly granularity.
    """
    communes = pd.DataFrame(
        conn.execute(
            select(Territory.code, Territory.households)
            .where(Territory.level == "commune", Territory.departement_code == departement)
            .order_by(Territory.code)
        ).all(),
        columns=["code", "households"],
    )
    if communes.empty:
        raise ValueError(f"no commune of département {departement!r} in the territory table: load its plan first")
    granularities = dict(conn.execute(select(Indicator.code, Indicator.granularities).where(Indicator.code.in_(INDICATORS))).all())
    unusable = [code for code in INDICATORS if "month" not in str(granularities.get(code, "")).split(",")]
    if unusable:
        raise ValueError(f"indicators missing from the catalogue or without monthly values: {', '.join(unusable)}")

    per_month = len(INDICATORS) * len(communes)
    months = pd.date_range(f"{YEARS[0]}-01-01", periods=-(-rows // per_month), freq="MS")
    share = communes["households"].fillna(0).to_numpy(float) + 1.0  # +1: a commune without households data still gets values
    share /= share.sum()
    rng = np.random.default_rng(seed)
    frames = []
    for code, (yearly, source) in INDICATORS.items():
        expected = np.outer(share, np.full(len(months), yearly / 12))  # communes × months
        frames.append(
            pd.DataFrame(
                {
                    "indicateur": code,
                    "territoire": np.repeat(communes["code"].to_numpy(), len(months)),
                    "periode": np.tile(months.strftime("%Y-%m"), len(communes)),
                    "valeur": rng.poisson(expected).ravel(),
                    "statut": "définitif",
                    "source": source,
                }
            )
        )
    table = pd.concat(frames, ignore_index=True).head(rows)
    table[HEADER].to_csv(path, sep=";", index=False, encoding="utf-8", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return len(table)
