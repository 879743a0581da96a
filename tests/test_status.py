"""The objective status rule, on every kind (pure function, no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.status import OBJECTIVE_KINDS, Measurement, milestone_status, prorata_target, status_from_measurement

CASES = [
    # kind, target, measurement, expected
    ("min_per_year", 40, Measurement(41), "atteint"),
    ("min_per_year", 40, Measurement(39), "non atteint"),
    ("min_per_year", 40, Measurement(25, fraction=0.5), "en bonne voie"),  # projected 50
    ("min_per_year", 40, Measurement(15, fraction=0.5), "en retard"),  # projected 30
    ("min_per_year", 40, Measurement(40, fraction=0.25), "atteint"),  # a count only grows
    ("max_per_year", 100, Measurement(90), "atteint"),
    ("max_per_year", 100, Measurement(101), "non atteint"),
    ("max_per_year", 100, Measurement(101, fraction=0.5), "non atteint"),  # already exceeded
    ("max_per_year", 100, Measurement(60, fraction=0.5), "en retard"),  # projected 120
    ("min_cumulative", 30, Measurement(31), "atteint"),
    ("min_cumulative", 30, Measurement(12, fraction=0.4), "en bonne voie"),  # projected 30
    ("decrease_from_baseline", None, Measurement(10000, baseline=10248), "atteint"),
    ("decrease_from_baseline", None, Measurement(10248, baseline=10248), "non atteint"),  # equal is not a decrease
    ("decrease_from_baseline", None, Measurement(5200, fraction=0.5, baseline=10248), "en retard"),  # projected 10 400
    ("decrease_from_baseline", 9000, Measurement(9500, baseline=10248), "non atteint"),  # below baseline, above the target level
    ("increase_from_baseline", None, Measurement(1600, baseline=1529), "atteint"),
    ("increase_from_baseline", None, Measurement(1500, baseline=1529), "non atteint"),
    ("increase_from_baseline", None, Measurement(800, fraction=0.5, baseline=1529), "en bonne voie"),  # projected 1 600
    ("increase_from_baseline", None, Measurement(1600, baseline=None), "pas de données"),
    ("ratio_max", 33, Measurement(32.9), "atteint"),
    ("ratio_max", 33, Measurement(41.6), "non atteint"),
    ("ratio_max", 33, Measurement(41.6, fraction=0.5), "en retard"),  # a ratio is not projected
    ("share_min", 10, Measurement(10.9), "atteint"),
    ("share_min", 10, Measurement(9.5), "non atteint"),
    ("stock_target", 13, Measurement(13), "atteint"),
    ("stock_target", 13, Measurement(11, fraction=0.5), "en retard"),  # a stock is not projected
    ("min_per_year", 40, Measurement(None), "pas de données"),
    ("min_per_year", None, Measurement(12), "pas de données"),
    ("min_per_year", 40, Measurement(0, fraction=0.0), "pas de données"),
    # a target the plan has still to set (PLH « Se donner des objectifs chiffrés »): never judged, with or without data
    ("to_be_set", None, Measurement(120), "à fixer"),
    ("to_be_set", None, Measurement(None), "à fixer"),
    ("to_be_set", None, Measurement(30, fraction=0.5), "à fixer"),
]


@pytest.mark.parametrize(("kind", "target", "measurement", "expected"), CASES)
def test_status_rule(kind, target, measurement, expected):
    assert status_from_measurement(kind, target, measurement) == expected


def test_every_kind_is_covered_by_the_cases():
    assert {c[0] for c in CASES} | {"milestone"} == set(OBJECTIVE_KINDS)


DUE = dt.date(2020, 12, 31)
TODAY = dt.date(2026, 12, 1)
MILESTONES = [
    # state, achieved_on, period end, expected
    ("realise", dt.date(2016, 6, 30), dt.date(2016, 12, 31), "atteint"),
    ("realise", dt.date(2016, 6, 30), dt.date(2015, 12, 31), "à renseigner"),  # realised later, not due yet
    ("realise", dt.date(2021, 3, 1), dt.date(2020, 12, 31), "en retard"),  # realised after its due date
    ("abandonne", None, dt.date(2016, 12, 31), "abandonné"),
    (None, None, dt.date(2016, 12, 31), "à renseigner"),  # nobody recorded it, not due yet
    (None, None, dt.date(2020, 12, 31), "en retard"),  # due on the evaluated period's last day: passed
    ("a_renseigner", None, dt.date(2022, 12, 31), "en retard"),
]


@pytest.mark.parametrize(("state", "achieved_on", "period_end", "expected"), MILESTONES)
def test_milestone_status_follows_its_record_and_due_date(state, achieved_on, period_end, expected):
    assert milestone_status(state, achieved_on, due_on=DUE, period_end=period_end, today=TODAY) == expected


def test_a_milestone_is_not_late_before_today():
    assert milestone_status(None, None, due_on=dt.date(2026, 12, 31), period_end=dt.date(2027, 12, 31), today=TODAY) == "à renseigner"


@pytest.mark.parametrize(
    ("kind", "target", "value", "tolerance", "expected"),
    [
        ("min_per_year", 20, 19, 0.1, "atteint"),  # « une vingtaine par an »: 19 is a score
        ("min_per_year", 20, 18, 0.1, "atteint"),
        ("min_per_year", 20, 17, 0.1, "non atteint"),
        ("min_per_year", 20, 19, None, "non atteint"),  # a strict target
        ("max_per_year", 100, 109, 0.1, "atteint"),
        ("ratio_max", 33, 36, 0.1, "atteint"),
        ("ratio_max", 33, 37, 0.1, "non atteint"),
    ],
)
def test_an_approximate_target_is_met_within_its_tolerance(kind, target, value, tolerance, expected):
    assert status_from_measurement(kind, target, Measurement(value), tolerance) == expected


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError, match="kind must be one of"):
        status_from_measurement("milestone", None, Measurement(1))


@pytest.mark.parametrize(
    ("kind", "value", "share", "expected"),
    [
        ("min_per_year", 40, 0.25, 10.0),
        ("decrease_from_baseline", 10248, 0.5, 5124.0),
        ("ratio_max", 33, 0.25, 33),
        ("share_min", 10, 0.1, 10),
    ],
)
def test_prorata_shares_counts_but_not_ratios(kind, value, share, expected):
    assert prorata_target(kind, value, share) == expected
