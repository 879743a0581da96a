"""Query functions: sums consistent across levels, ratios recomputed from sums, zero-fill, gaps."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import insert

from data_access.aggregation import SERIES_COLUMNS
from data_access.models import Indicator
from data_access.periods import Period
from data_access.queries import (
    LEVEL_SECRET_COLUMNS,
    LEVEL_VALUES_COLUMNS,
    eviction_chain,
    indicator_series,
    level_values,
    reference_points,
    territories,
)
from data_access.writes import bulk_insert_observations, create_batch, refresh_coverage

YEAR = Period.years(2023)


@pytest.mark.parametrize("indicator", ["assignations", "fsl_energie_montant", "signalements_non_decence"])
@pytest.mark.parametrize("departement", ["38", "72"])
def test_sums_agree_across_levels(conn, indicator, departement):
    totals = {}
    for level in ("commune", "epci", "arrondissement", "territoire"):
        totals[level] = level_values(conn, indicator=indicator, level=level, departement=departement, period=YEAR)["value"].sum()
    totals["departement"] = level_values(conn, indicator=indicator, level="territoire", departement=departement, period=YEAR).attrs[
        "departement_value"
    ]
    assert len(set(totals.values())) == 1, totals


def test_series_sum_over_months_equals_the_year(conn):
    months = indicator_series(conn, indicators=["cql"], territories=["oisans"], period=YEAR, granularity="month")
    quarters = indicator_series(conn, indicators=["cql"], territories=["oisans"], period=YEAR, granularity="quarter")
    year = indicator_series(conn, indicators=["cql"], territories=["oisans"], period=YEAR, granularity="year")
    assert len(months) == 12 and len(quarters) == 4 and len(year) == 1
    assert months["value"].sum() == quarters["value"].sum() == year["value"].iloc[0]
    assert list(months.columns) == SERIES_COLUMNS


def test_rolling_twelve_months_is_the_sum_of_the_last_twelve(conn):
    rolling = indicator_series(conn, indicators=["assignations"], territories=["38"], period=YEAR, granularity="rolling12")
    year = indicator_series(conn, indicators=["assignations"], territories=["38"], period=YEAR, granularity="year")
    assert rolling.set_index("period_start").loc[dt.date(2023, 12, 1), "value"] == year["value"].iloc[0]


def _seed_ratio_fixture(conn):
    """Two communes: 1 case out of 2 and 9 out of 10 → the territory's ratio is 10/12, not the mean of 50 % and 90 %."""

    def indicator(code: str, **ratio: object) -> dict[str, object]:
        return dict(
            code=code,
            label=code,
            unit="cas",
            theme="contexte",
            better="none",
            granularities="month,quarter,year",
            definition="",
            source="test",
            scale=100 if ratio else 1,
            **ratio,
        )

    conn.execute(insert(Indicator), [indicator("t_num"), indicator("t_den")])
    conn.execute(insert(Indicator), [indicator("t_ratio", numerator_code="t_num", denominator_code="t_den")])
    batch = create_batch(conn, kind="import", file_name="test.csv", sha256="0" * 64, rows=4, user_name="test")
    rows = pd.DataFrame(
        [("t_num", "38185", 1.0), ("t_den", "38185", 2.0), ("t_num", "38151", 9.0), ("t_den", "38151", 10.0)],
        columns=["indicator_code", "territory_code", "value"],
    ).assign(granularity="month", period_start=pd.Timestamp("2023-03-01"))
    bulk_insert_observations(conn, rows, batch)
    refresh_coverage(conn, ["t_num", "t_den"])


def test_ratio_is_recomputed_from_sums_not_averaged(conn):
    _seed_ratio_fixture(conn)
    series = indicator_series(
        conn, indicators=["t_ratio"], territories=["agglo-grenobloise", "38185"], period=YEAR, granularity="year"
    ).set_index("territory_code")
    assert series.loc["agglo-grenobloise", "value"] == pytest.approx(100 * 10 / 12)
    assert series.loc["38185", "value"] == pytest.approx(50.0)
    assert not series["demo"].any()


def test_months_without_values_count_as_zero_within_coverage(conn):
    _seed_ratio_fixture(conn)
    # coverage of t_num is March 2023 only: March has a value, February is outside coverage
    march = indicator_series(
        conn, indicators=["t_num"], territories=["38001"], period=Period(dt.date(2023, 2, 1), dt.date(2023, 4, 1)), granularity="month"
    )
    assert march[["period_start", "value"]].values.tolist() == [[dt.date(2023, 3, 1), 0.0]]


def test_national_series_keep_their_gaps_and_approx_flags(conn):
    series = indicator_series(
        conn, indicators=["expulsions_effectives"], territories=["FR"], period=Period.years(2010, 2015), granularity="year"
    )
    assert [d.year for d in series["period_start"]] == [2010, 2014, 2015]  # 2011–2013 are gaps, not zeros
    points = reference_points(conn, indicators=["expulsions_effectives"], territories=["FR"]).set_index("period_start")
    assert bool(points.loc[dt.date(2019, 1, 1), "approx"]) is True
    # the file gives two estimates for 2019: the first is kept, the other quoted in the source
    assert points.loc[dt.date(2019, 1, 1), "value"] == 16000
    assert "16\u202f700" in points.loc[dt.date(2019, 1, 1), "source"]


def test_published_isere_points_are_reference_not_demo(conn):
    points = reference_points(conn, indicators=["assignations"], territories=["38"])
    assert points[["period_start", "value"]].values.tolist() == [[dt.date(2022, 1, 1), 2696.0]]


def test_level_values_ranks_and_rates(conn):
    values = level_values(conn, indicator="assignations", level="territoire", departement="38", period=YEAR)
    assert list(values.columns) == [*LEVEL_VALUES_COLUMNS, *LEVEL_SECRET_COLUMNS] and len(values) == 13
    assert values["n_secret"].sum() == 0 and values.attrs["departement_secret"] == 0  # demo values are never secret
    assert values["rank"].tolist() == sorted(values["rank"].tolist())
    row = values.iloc[0]
    assert row["rate"] == pytest.approx(row["value"] / row["households"] * 1000)


def test_eviction_chain_has_five_stages_in_order(conn):
    chain = eviction_chain(conn, territory="381", period=YEAR)
    assert chain["indicator_code"].tolist() == ["assignations", "cql", "cfp_demandes", "cfp_accordes", "expulsions_effectives"]
    assert chain.loc[1, "rate_from_previous"] == pytest.approx(100 * chain.loc[1, "value"] / chain.loc[0, "value"])


def test_unknown_territory_gives_an_empty_frame(conn):
    assert indicator_series(conn, indicators=["assignations"], territories=["nowhere"], period=YEAR).empty


def test_territories_of_a_level(conn):
    assert len(territories(conn, departement="38", level="commune")) == 521
