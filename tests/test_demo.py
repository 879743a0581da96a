"""Demo data: deterministic, flagged as demo, calibrated on published magnitudes, chain never
inverted, no effective eviction during the trêve hivernale; each plan's period and baselines
covered (Sarthe from 2007), every stored indicator a plan uses drawn, 2013–2025 unchanged, and
the zero months that end a covered year stored so that the year counts as complete."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, insert, select

from data_access import demo
from data_access.models import ActionIndicator, ImportBatch, Indicator, Objective, Observation, Plan, SeriesCoverage, Territory
from data_access.objectives import latest_complete_year
from data_access.periods import Period
from data_access.queries import EVICTION_CHAIN, indicator_series, territories

ISERE, SARTHE = "isere-palhdi-2014-2020", "sarthe-pdalpd-2008-2012"


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
    yearly = _yearly(conn, list(EVICTION_CHAIN), codes, first=2007).fillna(0)
    for upstream, downstream in zip(EVICTION_CHAIN, EVICTION_CHAIN[1:], strict=False):
        inverted = yearly[yearly[downstream] > yearly[upstream]]
        assert inverted.empty, f"{downstream} > {upstream}:\n{inverted.head()}"


def test_no_effective_eviction_during_the_treve_hivernale(conn):
    monthly = indicator_series(
        conn, indicators=["expulsions_effectives"], territories=["38", "72"], period=Period.years(2007, 2025), granularity="month"
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


def _used_stored_indicators(conn, plan):
    """The stored indicators ``plan`` uses, read independently of the generator: those its fiches
    list and its objectives measure, a ratio replaced by its numerator and denominator."""
    listed = set(conn.scalars(select(ActionIndicator.indicator_code).where(ActionIndicator.plan_code == plan)))
    listed |= set(conn.scalars(select(Objective.indicator_code).where(Objective.plan_code == plan, Objective.indicator_code.is_not(None))))
    rows = conn.execute(select(Indicator.code, Indicator.numerator_code, Indicator.denominator_code, Indicator.theme)).all()
    parts = {code: [n, d] if n and d else [code] for code, n, d, _ in rows}
    contexte = {code for code, _, _, theme in rows if theme == "contexte"}
    return sorted({c for code in listed for c in parts[code]} - contexte)


def test_each_departement_starts_the_year_before_its_plans_or_at_its_earliest_baseline(conn):
    firsts = demo.first_years(conn, ["38", "72"])
    assert firsts["72"] == 2007  # Sarthe: plan 2008–2012, baselines 2007
    plan_start = conn.scalar(select(func.min(Plan.period_start)).where(Plan.departement_code == "38"))
    baseline = conn.scalar(select(func.min(Objective.baseline_start)).where(Objective.plan_code == ISERE))
    assert firsts["38"] == min(2013, plan_start.year - 1, baseline.year if baseline else 2013)
    for dep, first in firsts.items():
        bounds = conn.execute(
            select(func.min(Observation.period_start), func.max(Observation.period_start))
            .join(Territory, Territory.code == Observation.territory_code)
            .where(Observation.granularity == "month", Territory.departement_code == dep)
        ).one()
        assert bounds == (dt.date(first, 1, 1), dt.date(2025, 12, 1))


@pytest.mark.parametrize("plan", [ISERE, SARTHE])
def test_every_stored_indicator_a_plan_uses_has_demo_values_over_the_whole_demo_period(conn, plan):
    dep = conn.scalar(select(Plan.departement_code).where(Plan.code == plan))
    first = demo.first_years(conn, [dep])[dep]
    used = _used_stored_indicators(conn, plan)
    assert used
    coverage = conn.execute(
        select(SeriesCoverage.indicator_code, func.min(SeriesCoverage.first_period), func.max(SeriesCoverage.last_period))
        .where(SeriesCoverage.departement_code == dep, SeriesCoverage.n_demo > 0)
        .group_by(SeriesCoverage.indicator_code)
    ).all()
    covered = {code: (start, end) for code, start, end in coverage}
    missing = [code for code in used if code not in covered]
    assert not missing, f"no demo values for {missing}"
    for code in used:
        assert covered[code][0] <= dt.date(first, 1, 1) and covered[code][1].year == 2025, code


def test_sarthe_has_a_complete_demo_value_in_2007_to_2012_for_every_indicator_its_plan_uses(conn):
    used = _used_stored_indicators(conn, SARTHE)
    ratios = sorted(set(conn.scalars(select(Objective.indicator_code).where(Objective.plan_code == SARTHE))) - {None} - set(used))
    places = sorted(set(conn.scalars(select(Objective.territory_code).where(Objective.plan_code == SARTHE))))
    series = indicator_series(conn, indicators=[*used, *ratios], territories=places, period=Period.years(2007, 2012), granularity="year")
    for code in [*used, *ratios]:
        rows = series[(series["indicator_code"] == code) & (series["territory_code"] == "72")]
        assert len(rows) == 6 and rows["complete"].all() and rows["demo"].all(), code
        assert rows["value"].notna().all() and (rows["value"] >= 0).all(), code


def test_sarthe_pilotage_is_drawn_around_its_targets_in_the_plan_years(conn):
    """2F « une vingtaine par an » and 2A « 30 logements » on Le Mans Métropole over 2008–2012:
    drawn near the targets, so that the plan's evaluation is not one status throughout."""
    yearly = _yearly(conn, ["projets_habitat_adapte", "logements_tres_sociaux_prives"], ["72", "le-mans-metropole"], 2008, 2012)
    projects = yearly.loc["72", "projets_habitat_adapte"]
    assert (projects >= 20).any() and (projects < 20).any() and projects.between(14, 26).all()
    assert yearly.loc["le-mans-metropole", "logements_tres_sociaux_prives"].sum() == pytest.approx(30, rel=0.2)


def test_a_covered_year_is_complete_whatever_the_treve(conn):
    """Effective evictions stop during the trêve hivernale (November–March): the zero months are
    stored zeros, so the coverage runs from January to December and 2025 is a complete year."""
    firsts = demo.first_years(conn, ["38", "72"])
    for dep, first in firsts.items():
        cover = conn.execute(
            select(SeriesCoverage.first_period, SeriesCoverage.last_period).where(
                SeriesCoverage.indicator_code == "expulsions_effectives",
                SeriesCoverage.departement_code == dep,
                SeriesCoverage.level == "commune",
                SeriesCoverage.granularity == "month",
            )
        ).one()
        assert tuple(cover) == (dt.date(first, 1, 1), dt.date(2025, 12, 1))
    codes = ["38", "72", *territories(conn, departement="38", level="territoire")["code"][:3]]
    yearly = indicator_series(
        conn, indicators=["expulsions_effectives"], territories=codes, period=Period.years(2007, 2025), granularity="year"
    )
    years = pd.to_datetime(yearly["period_start"]).dt.year
    assert yearly["complete"].all()
    assert len(yearly) == sum(2025 - firsts["38" if code != "72" else "72"] + 1 for code in codes)
    last = yearly[years == 2025].set_index("territory_code")
    assert len(last) == len(codes) and last.at["38", "value"] == 270  # the figure the overview shows
    december = indicator_series(
        conn,
        indicators=["expulsions_effectives"],
        territories=["38", "72"],
        period=Period(dt.date(2025, 12, 1), dt.date(2026, 1, 1)),
        granularity="month",
    )
    assert december["value"].tolist() == [0.0, 0.0] and december["complete"].all()
    assert latest_complete_year(conn, plan=ISERE) == 2025 and latest_complete_year(conn, plan=SARTHE) == 2025


def test_the_2013_to_2025_values_are_those_of_before_the_earlier_years(conn):
    """The years 2013–2025 are drawn as they were before the demo reached back to 2007: the same
    values to the unit (pinned: every monthly value, the pilotage tables, a few yearly sums)."""
    demo_rows = select(func.count(), func.sum(Observation.value)).join(ImportBatch, ImportBatch.id == Observation.import_batch_id)
    demo_rows = demo_rows.where(ImportBatch.kind == "demo", Observation.period_start >= dt.date(2013, 1, 1))
    monthly = conn.execute(demo_rows.where(Observation.granularity == "month", Observation.value != 0)).one()
    assert tuple(monthly) == (489_361, 101_907_837.0)
    pilotage = conn.execute(demo_rows.where(Observation.granularity == "year", Observation.indicator_code.in_(list(demo.PILOTAGE)))).one()
    assert tuple(pilotage) == (117, 129_959.0)
    yearly = _yearly(conn, ["assignations", "expulsions_effectives", "fsl_acces_montant", "referents_territoriaux"], ["38", "72"])
    assert yearly.loc[("38", dt.date(2013, 1, 1)), "assignations"] == 2650
    assert yearly.loc[("38", dt.date(2017, 1, 1)), "assignations"] == 2242
    assert yearly.loc[("38", dt.date(2022, 1, 1)), "assignations"] == 2695
    assert yearly.loc[("72", dt.date(2013, 1, 1)), "assignations"] == 1193
    assert yearly.loc[("38", dt.date(2013, 1, 1)), "fsl_acces_montant"] == 1_760_915
    assert yearly.loc[("38", dt.date(2022, 1, 1)), "expulsions_effectives"] == 236
    assert yearly.loc[("38", dt.date(2013, 1, 1)), "referents_territoriaux"] == 0
    assert yearly.loc[("38", dt.date(2017, 1, 1)), "referents_territoriaux"] == 13


def test_backcast_extrapolates_a_table_from_its_first_years():
    flat = [demo.backcast("x", (100, 100, 100, 100, 100, 100), year) for year in range(2000, 2013)]
    assert all(100 * (1 - demo.BACKCAST_WOBBLE) <= v <= 100 * (1 + demo.BACKCAST_WOBBLE) for v in flat) and len(set(flat)) > 1
    assert demo.backcast("x", (0, 5, 11, 13, 13, 13), 2010) == 0  # what it counts did not exist yet
    wobble = demo._yearly_draws("backcast:y", 1 - demo.BACKCAST_WOBBLE, 1 + demo.BACKCAST_WOBBLE)
    rising = [demo.backcast("y", (100, 110, 121, 133, 146, 161), year) / demo._draw(wobble, year) for year in (2010, 2011)]
    assert rising[1] / rising[0] == pytest.approx(1 + demo.BACKCAST_TREND)  # the trend carried back: at most 1 % a year
    assert demo.calibration({"y": (1, 2, 3, 4, 5, 6)}, [2013, 2014])["y"] == (1.0, 2.0)  # the table's own years as they are


# new catalogue entries, as the catalogue may gain any: (code, unit, theme, better, numerator, denominator, scale)
NEW_INDICATORS = [
    ("test_menages_accompagnes", "ménages", "expulsions", "higher", None, None, 1.0),
    ("test_part_relogee", "%", "pilotage", "higher", None, None, 1.0),
    ("test_jours_cumules", "jours", "pilotage", "lower", None, None, 1.0),
    ("test_places_creees", "places", "hebergement", "higher", None, None, 1.0),
    ("test_journees_occupees", "journées", "hebergement", "none", None, None, 1.0),
    ("test_journees_offertes", "journées", "hebergement", "none", None, None, 1.0),
    ("test_taux_occupation", "%", "hebergement", "higher", "test_journees_occupees", "test_journees_offertes", 100.0),
    ("test_cout", "€", "hebergement", "none", None, None, 1.0),
    ("test_cout_par_jour", "€ par place et par jour", "hebergement", "none", "test_cout", "test_journees_offertes", 1.0),
    ("test_maisons_creees", "maisons relais", "pilotage", "higher", None, None, 1.0),
    ("test_menages_orientes", "ménages", "pilotage", "higher", None, None, 1.0),
    ("test_taux_orientation", "%", "pilotage", "higher", "test_menages_orientes", "assignations", 100.0),
    ("test_comites_locaux", "comités", "pilotage", "higher", None, None, 1.0),
]
NEW_OBJECTIVES = [  # (indicator, territory, kind, target)
    ("test_menages_accompagnes", "72", "min_per_year", 120.0),
    ("test_part_relogee", "72", "share_min", 95.0),
    ("test_taux_orientation", "72", "share_min", 25.0),
    ("test_comites_locaux", "le-mans-metropole", "min_per_year", 3.0),
    ("test_comites_locaux", "reste-departement", "min_per_year", 1.0),
    ("test_maisons_creees", "le-mans-metropole", "min_cumulative", 2.0),
]


def _add_to_the_sarthe_plan(conn):
    for code, unit, theme, better, numerator, denominator, scale in NEW_INDICATORS:
        conn.execute(
            insert(Indicator).values(
                code=code,
                label=code,
                unit=unit,
                theme=theme,
                better=better,
                granularities="year",
                definition="Indicateur de test.",
                source="Test",
                numerator_code=numerator,
                denominator_code=denominator,
                scale=scale,
            )
        )
    for code in ("test_jours_cumules", "test_places_creees", "test_taux_orientation", "test_taux_occupation", "test_cout_par_jour"):
        conn.execute(insert(ActionIndicator).values(plan_code=SARTHE, action_code="1B", indicator_code=code))
    for position, (code, territory, kind, target) in enumerate(NEW_OBJECTIVES, start=901):
        conn.execute(
            insert(Objective).values(
                plan_code=SARTHE,
                action_code="1B",
                position=position,
                indicator_code=code,
                territory_code=territory,
                period_start=dt.date(2008, 1, 1),
                period_end=dt.date(2012, 12, 31),
                kind=kind,
                target_value=target,
                label=f"Objectif de test {code}",
            )
        )


def test_any_new_catalogue_indicator_a_plan_uses_gets_yearly_values_calibrated_on_its_target_or_unit(conn):
    _add_to_the_sarthe_plan(conn)
    frame = demo.demo_frame(conn, ["72"])
    yearly = frame[frame["granularity"] == "year"].assign(year=lambda f: f["period_start"].dt.year)

    def values(code, territory="72"):
        rows = yearly[(yearly["indicator_code"] == code) & (yearly["territory_code"] == territory)].set_index("year")["value"]
        assert list(rows.index) == list(range(2007, 2026)), code  # the département's whole demo period, once a year
        return rows

    stored = {code for code, *_, numerator, _, _ in NEW_INDICATORS if not numerator}
    assert set(yearly["indicator_code"]) >= stored and "test_taux_orientation" not in set(frame["indicator_code"])  # ratios are computed
    accompanied = values("test_menages_accompagnes")  # around its target, some years met and some not
    assert accompanied.between(96, 144).all() and (accompanied >= 120).any() and (accompanied < 120).any()
    assert (accompanied == accompanied.round()).all()
    share = values("test_part_relogee")  # a stored percentage stays within 0–100
    assert share.between(0, 100).all() and (share == 100).any() and (share < 95).any()
    sarthe = 255_080 / 565_053  # households, Sarthe / Isère: magnitudes are written for Isère
    days = values("test_jours_cumules")  # stored values add up: cumulated days, scaled, drifting towards « lower »
    assert days.between(0.5 * 20_000 * sarthe, 2 * 20_000 * sarthe).all() and days.loc[2007:2009].mean() > days.loc[2023:2025].mean()
    places = values("test_places_creees")  # a count from its unit, scaled by Sarthe's households
    assert places.between(0.5 * 150 * sarthe, 2 * 150 * sarthe).all()
    # a ratio without objective: the numerator from the denominator at a plausible rate, a share never above its whole
    occupied, offered = values("test_journees_occupees"), values("test_journees_offertes")
    assert (occupied <= offered).all() and (occupied / offered).between(0.5, 0.9).all()
    assert (values("test_cout") / offered).between(20, 40).all()  # « € par place et par jour »
    cumulated = values("test_maisons_creees", "le-mans-metropole")  # 2 over 2008–2012: whole counts that add up to about 2
    assert cumulated.loc[2008:2012].sum() in (1, 2, 3) and set(cumulated) <= {0, 1, 2}
    # a ratio with a target rate: its numerator drawn as that rate of the (monthly) denominator
    assignations = frame[frame["indicator_code"] == "assignations"].groupby(frame["period_start"].dt.year)["value"].sum()
    rate = values("test_menages_orientes") / assignations
    assert rate.between(0.25 * 0.79, 0.25 * 1.21).all()
    # counted where its objectives are set, around each territory's own target
    assert set(yearly.loc[yearly["indicator_code"] == "test_comites_locaux", "territory_code"]) == {
        "le-mans-metropole",
        "reste-departement",
    }
    assert values("test_comites_locaux", "le-mans-metropole").between(2, 4).all()
    local = values("test_comites_locaux", "reste-departement")  # whole counts, about 1 a year
    assert local.between(0, 2).all() and local.mean() == pytest.approx(1, abs=0.3)
    assert (yearly.loc[yearly["year"] == 2025, "status"] == "provisoire").all() and (
        yearly.loc[yearly["year"] < 2025, "status"] == "définitif"
    ).all()
