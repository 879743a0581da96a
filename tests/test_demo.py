"""Demo data: deterministic, flagged as demo, calibrated on published magnitudes, chain never
inverted, no effective eviction during the trêve hivernale."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select

from data_access import demo
from data_access.models import ImportBatch, Observation
from data_access.periods import Period
from data_access.queries import EVICTION_CHAIN, indicator_series, territories


def _yearly(conn, indicators, codes, first=2013, last=2025):
    series = indicator_series(conn, indicators=indicators, territories=codes, period=Period.years(first, last), granularity="year")
    return series.pivot_table(index=["territory_code", "period_start"], columns="indicator_code", values="value")


def test_demo_is_one_batch_of_kind_demo_and_results_say_so(conn):
    kinds = dict(conn.execute(select(ImportBatch.kind, func.count()).group_by(ImportBatch.kind)).all())
    assert kinds["demo"] == 1
    series = indicator_series(conn, indicators=["assignations"], territories=["38"], period=Period.years(2022), granularity="year")
    assert series["demo"].all() and series.attrs["demo"] is True


def test_reference_series_are_not_flagged_as_demo(conn):
    series = indicator_series(
        conn, indicators=["expulsions_effectives"], territories=["FR"], period=Period.years(2000, 2024), granularity="year"
    )
    assert not series.empty and series.attrs["demo"] is False


def test_demo_generation_is_deterministic(conn):
    departements = ["38", "72"]
    first, second = demo.demo_frame(conn, departements), demo.demo_frame(conn, departements)
    pd.testing.assert_frame_equal(first, second)


def test_seeding_again_is_a_no_op(conn):
    assert demo.seed_demo(conn) == 0


def test_isere_assignations_are_calibrated_on_published_figures(conn):
    yearly = _yearly(conn, ["assignations"], ["38"]).loc["38", "assignations"]
    y2022, y2017 = yearly[dt.date(2022, 1, 1)], yearly[dt.date(2017, 1, 1)]
    assert y2022 == pytest.approx(2696, rel=0.05)  # Un Toit Pour Tous: 2 696 in 2022
    assert y2022 / y2017 == pytest.approx(1.20, abs=0.06)  # « +20 % en cinq ans »
    assert yearly[dt.date(2020, 1, 1)] < 0.8 * yearly[dt.date(2019, 1, 1)]  # 2020 collapse
    assert yearly[dt.date(2024, 1, 1)] > yearly[dt.date(2023, 1, 1)]  # 2024 rise


def test_demo_chain_ratios_follow_national_magnitudes(conn):
    totals = _yearly(conn, list(EVICTION_CHAIN), ["38", "72"]).sum()
    assert 0.40 <= totals["cql"] / totals["assignations"] <= 0.45
    assert totals["cfp_demandes"] / totals["cql"] == pytest.approx(0.75, abs=0.03)
    assert totals["cfp_accordes"] / totals["cfp_demandes"] == pytest.approx(0.58, abs=0.04)
    assert totals["expulsions_effectives"] / totals["cfp_accordes"] == pytest.approx(0.45, abs=0.03)


@pytest.mark.parametrize("level", ["commune", "territoire", "arrondissement", "epci", "departement"])
def test_demo_chain_is_never_inverted(conn, level):
    codes = (
        ["38", "72"]
        if level == "departement"
        else [*territories(conn, departement="38", level=level)["code"], *territories(conn, departement="72", level=level)["code"]]
    )
    yearly = _yearly(conn, list(EVICTION_CHAIN), codes).fillna(0)
    for upstream, downstream in zip(EVICTION_CHAIN, EVICTION_CHAIN[1:], strict=False):
        inverted = yearly[yearly[downstream] > yearly[upstream]]
        assert inverted.empty, f"{downstream} > {upstream}:\n{inverted.head()}"


def test_no_effective_eviction_during_the_treve_hivernale(conn):
    monthly = indicator_series(
        conn, indicators=["expulsions_effectives"], territories=["38", "72"], period=Period.years(2013, 2025), granularity="month"
    )
    months = pd.to_datetime(monthly["period_start"])
    in_treve = months.dt.month.isin([11, 12, 1, 2, 3])
    assert monthly.loc[in_treve, "value"].sum() == 0
    assert monthly.loc[~in_treve, "value"].sum() > 0
    # the health-crisis extensions: none before 10 July 2020, none before June 2021
    assert monthly.loc[(months >= "2020-04-01") & (months < "2020-07-01"), "value"].sum() == 0
    assert monthly.loc[(months >= "2021-04-01") & (months < "2021-06-01"), "value"].sum() == 0


def test_urban_territories_have_higher_rates_than_rural_ones(conn):
    from data_access.queries import level_values

    values = level_values(conn, indicator="assignations", level="territoire", departement="38", period=Period.years(2022, 2024)).set_index(
        "territory_code"
    )
    assert values.loc["agglo-grenobloise", "rate"] > values.loc["trieves", "rate"]
    assert values.loc["agglo-grenobloise", "rate"] > values.loc["matheysine", "rate"]


@pytest.mark.parametrize(
    ("indicator", "year", "expected", "tolerance"),
    [
        ("fsl_demandes_charges_courantes", 2013, 10248, 0.05),
        ("fsl_demandes_energie", 2013, 6148, 0.05),
        ("menages_reperes", 2013, 1529, 0.06),
        ("signalements_insalubrite", 2014, 40, 0.35),
        ("signalements_non_decence", 2014, 300, 0.12),
        ("signalements_precarite_energetique", 2014, 650, 0.1),
    ],
)
def test_fsl_and_signalements_are_near_the_plan_figures(conn, indicator, year, expected, tolerance):
    value = _yearly(conn, [indicator], ["38"], year, year).iloc[0, 0]
    assert value == pytest.approx(expected, rel=tolerance)


def test_demo_values_are_monthly_at_the_commune_level_2013_to_2025(conn):
    first, last = conn.execute(
        select(func.min(Observation.period_start), func.max(Observation.period_start)).where(Observation.granularity == "month")
    ).one()
    assert (first, last) == (dt.date(2013, 1, 1), dt.date(2025, 12, 1))
