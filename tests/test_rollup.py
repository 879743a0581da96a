"""``observation_rollup`` stays equal to the sums it stands for, after a load and after a change."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import bindparam, text

from data_access.writes import bulk_insert_observations, create_batch, refresh_coverage

# the sums the rollup stands for, computed from the observations themselves
ON_THE_FLY = """
SELECT o.indicator_code, o.granularity, m.group_code AS territory_code, o.period_start,
       SUM(o.value) AS value, COUNT(*) AS n_values, SUM(CASE WHEN b.kind = 'demo' THEN 1 ELSE 0 END) AS n_demo
FROM observation o
JOIN territory_membership m ON m.member_code = o.territory_code
JOIN import_batch b ON b.id = o.import_batch_id
WHERE m.member_level = 'commune' AND m.group_level IN ('epci', 'arrondissement', 'territoire', 'departement')
  AND o.indicator_code IN :codes
GROUP BY o.indicator_code, o.granularity, m.group_code, o.period_start
"""
KEY = ["indicator_code", "granularity", "territory_code", "period_start"]


def _frames(conn, codes):
    def read(sql):
        return pd.read_sql(text(sql).bindparams(bindparam("codes", expanding=True)), conn, params={"codes": list(codes)})

    stored = read(
        "SELECT indicator_code, granularity, territory_code, period_start, value, n_values, n_demo FROM observation_rollup WHERE indicator_code IN :codes"
    )
    expected = read(ON_THE_FLY)
    tidy = [
        f.astype({"period_start": "str", "value": "float", "n_values": "int", "n_demo": "int"}).sort_values(KEY, ignore_index=True)
        for f in (stored, expected)
    ]
    return tidy


def test_rollup_equals_the_sums_of_the_demo_data(conn):
    stored, expected = _frames(conn, ["assignations", "fsl_acces_montant"])
    assert len(stored) > 1000
    pd.testing.assert_frame_equal(stored, expected)


def test_rollup_follows_a_write(conn):
    batch = create_batch(conn, kind="import", file_name="t.csv", sha256="1" * 64, rows=2, user_name="test")
    rows = pd.DataFrame(
        [("assignations", "38185", 1234.0), ("assignations", "72181", 77.0)], columns=["indicator_code", "territory_code", "value"]
    ).assign(granularity="month", period_start=pd.Timestamp("2030-01-01"))
    bulk_insert_observations(conn, rows, batch)
    refresh_coverage(conn, ["assignations"])
    stored, expected = _frames(conn, ["assignations"])
    pd.testing.assert_frame_equal(stored, expected)
    january = stored[stored["period_start"] == "2030-01-01"].set_index("territory_code")["value"]
    assert january["38"] == 1234.0 and january["72"] == 77.0 and january["agglo-grenobloise"] == 1234.0


def test_rollup_follows_an_import_and_its_revert(conn):
    """Imports and reverts add their changes to the sums: equal to a rebuild up to rounding."""
    from data_access.importers import apply_import, prepare_import, revert_batch

    data = "indicateur;territoire;periode;valeur\nassignations;38185;2024-03;999\nassignations;38151;2024-05;7\ncql;72181;2023-11;55\n"
    preview = prepare_import(conn, data.encode(), "t.csv")
    assert not preview.errors, preview.text()
    outcome = apply_import(conn, preview, user_name="test")
    stored, expected = _frames(conn, ["assignations", "cql"])
    pd.testing.assert_frame_equal(stored, expected)
    revert_batch(conn, outcome.batch_id)
    stored, expected = _frames(conn, ["assignations", "cql"])
    pd.testing.assert_frame_equal(stored, expected)
