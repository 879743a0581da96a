"""Objectives read as the plan words them: territorial rules, milestones recorded by data managers, the
evaluation over the plan's own period (on both backends, on the demo database)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from data_access import cli
from data_access.errors import UserError
from data_access.evaluation import plan_evaluation, plan_years
from data_access.milestones import milestone_history, parse_state, set_milestone
from data_access.models import Objective
from data_access.objectives import objective_status_table
from data_access.vocabulary import MilestoneState
from views.loader import DatabaseLoader
from views.params import parse

ISERE, SARTHE = "isere-palhdi-2014-2020", "sarthe-pdalpd-2008-2012"


def _rule(conn, action: str, label: str, **values: object) -> None:
    """Give one objective of the Isère plan (found by its fiche and words) a territorial rule."""
    found = conn.execute(
        update(Objective)
        .where(Objective.plan_code == ISERE, Objective.action_code == action, Objective.label.like(f"%{label}%"))
        .values(**values)
    )
    assert found.rowcount == 1, (action, label)


def _row(table, action: str, label: str):
    rows = table[(table["action_code"] == action) & table["label"].str.contains(label, regex=False)]
    assert len(rows) == 1, (action, label)
    return rows.iloc[0]


def test_one_referent_in_each_territory(conn):
    _rule(conn, "3.3", "référent territorial", territorial_rule="chaque_territoire", target_per_territory=1)
    row = _row(objective_status_table(conn, plan=ISERE, year=2016, territory="trieves"), "3.3", "référent territorial")
    assert row["target"] == 1 and row["rule_label"] == "objectif de chaque territoire" and row["territory_code"] == "trieves"
    departement = _row(objective_status_table(conn, plan=ISERE, year=2016), "3.3", "référent territorial")
    assert departement["target"] == 13 and departement["rule_label"] == ""


def test_a_per_territory_target_says_nothing_of_an_epci(conn):
    _rule(conn, "3.3", "référent territorial", territorial_rule="chaque_territoire", target_per_territory=1)
    row = _row(objective_status_table(conn, plan=ISERE, year=2016, territory="200040715"), "3.3", "référent territorial")
    assert row["target"] == 13 and row["rule_label"] == "objectif départemental" and row["territory_code"] == "38"


def test_a_departemental_objective_is_not_divided(conn):
    _rule(conn, "5.4", "comités techniques", territorial_rule="departemental")
    row = _row(objective_status_table(conn, plan=ISERE, year=2016, territory="trieves"), "5.4", "comités techniques")
    assert row["target"] == 4 and row["rule_label"] == "objectif départemental" and row["territory_code"] == "38"
    own = _row(objective_status_table(conn, plan=ISERE, year=2016), "5.4", "comités techniques")
    assert row["status"] == own["status"] and row["value"] == own["value"]


@pytest.mark.parametrize("base", ["menages", "population"])
def test_a_shared_count_is_divided_by_households_or_population(conn, base):
    _rule(conn, "5.2", "40 situations", territorial_rule="prorata", prorata_base=base)
    from data_access.models import Territory

    sizes = {
        code: (households, population)
        for code, households, population in conn.execute(
            Territory.__table__.select()
            .with_only_columns(Territory.code, Territory.households, Territory.population)
            .where(Territory.code.in_(["38", "trieves"]))
        )
    }
    column = 0 if base == "menages" else 1
    row = _row(objective_status_table(conn, plan=ISERE, year=2016, territory="trieves"), "5.2", "40 situations")
    assert row["target"] == pytest.approx(40 * sizes["trieves"][column] / sizes["38"][column])
    assert row["rule_label"] == "au prorata"


def test_a_milestone_lives_from_nobody_recorded_to_realised(conn):
    before = _row(objective_status_table(conn, plan=ISERE, year=2016), "1.3", "outils permanents")
    assert before["status"] in ("à renseigner", "en retard")
    set_milestone(conn, plan=ISERE, action="1.3", state=MilestoneState.REALISE, achieved_on=dt.date(2016, 6, 30), user="test", position=0)
    assert _row(objective_status_table(conn, plan=ISERE, year=2016), "1.3", "outils permanents")["status"] == "atteint"
    assert _row(objective_status_table(conn, plan=ISERE, year=2015), "1.3", "outils permanents")["status"] == "à renseigner"
    set_milestone(conn, plan=ISERE, action="1.3", state=MilestoneState.ABANDONNE, user="test", comment="remplacé par 1.1", position=0)
    assert _row(objective_status_table(conn, plan=ISERE, year=2016), "1.3", "outils permanents")["status"] == "abandonné"
    history = milestone_history(conn, plan=ISERE)
    assert list(history["state"][:2]) == ["abandonne", "realise"] and history["comment"].iloc[0] == "remplacé par 1.1"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (dict(action="1.3", state=MilestoneState.REALISE, position=0), "demande sa date"),
        (dict(action="1.3", state=MilestoneState.REALISE, position=0, achieved_on=dt.date(2999, 1, 1)), "dans le futur"),
        (dict(action="1.3", state=MilestoneState.REALISE, achieved_on=dt.date(2016, 1, 1)), "plusieurs jalons"),
        (dict(action="2.2", state=MilestoneState.ABANDONNE), "aucun jalon"),
        (dict(action="1.3", state=MilestoneState.ABANDONNE, position=42), "pas de jalon n° 42"),
    ],
)
def test_a_bad_milestone_record_is_refused_in_french(conn, call, message):
    with pytest.raises(UserError, match=message):
        set_milestone(conn, plan=ISERE, user="test", **call)


@pytest.mark.parametrize(
    ("text", "state"),
    [("realise", "realise"), ("Réalisé", "realise"), ("RÉALISÉE", "realise"), ("abandonné", "abandonne"), ("à renseigner", "a_renseigner")],
)
def test_states_are_read_with_or_without_accents(text, state):
    assert parse_state(text) == state


def test_an_unknown_state_is_refused():
    with pytest.raises(UserError, match="inconnu"):
        parse_state("fini")


def test_the_milestone_command_records_and_shows(small_database_template, tmp_path, capsys):
    import shutil

    shutil.copy(small_database_template, tmp_path / "jalons.db")
    url = f"sqlite:///{tmp_path / 'jalons.db'}"
    assert (
        cli.main(
            ["--database-url", url, "milestone", "set", "--plan", ISERE, "--action", "1.2", "--objectif", "0", "--state", "a_renseigner"]
        )
        == 0
    )
    assert "à renseigner. Enregistré." in capsys.readouterr().out
    assert (
        cli.main(["--database-url", url, "milestone", "set", "--plan", ISERE, "--action", "1.2", "--objectif", "0", "--state", "réalisé"])
        == 2
    )
    assert "demande sa date" in capsys.readouterr().err
    assert cli.main(["--database-url", url, "milestone", "show", "--plan", ISERE]) == 0
    assert "1.2 n° " in capsys.readouterr().out


def test_the_plan_is_evaluated_year_by_year_over_its_own_period(conn):
    evaluation = plan_evaluation(conn, plan=ISERE, today=dt.date(2026, 12, 1))
    assert evaluation.attrs["years"] == list(range(2014, 2021)) == plan_years(conn, ISERE)
    insalubrite = _row(evaluation, "5.2", "40 situations")
    assert set(insalubrite["years"]) == set(range(2014, 2021))
    met = sum(status == "atteint" for status, _ in insalubrite["years"].values())
    assert insalubrite["verdict_text"].startswith(f"tenu {met} année")
    assert insalubrite["verdict"] == ("atteint" if met == 7 else "non atteint")  # the plan is over
    milestone = _row(evaluation, "1.3", "outils permanents")
    assert milestone["verdict"] in ("en retard", "atteint", "abandonné")  # never « non atteint » for want of a record


def test_every_page_defaults_to_the_plan_period_bounded_by_the_data(conn):
    loader = DatabaseLoader(conn)
    isere = parse({}, loader).params
    assert (isere.first_year, isere.last_year) == (2014, 2020)
    sarthe = parse({"plan": SARTHE}, loader).params
    low, high = loader.year_bounds("72")
    assert (sarthe.first_year, sarthe.last_year) == (max(2008, low), min(2012, high)) or low > 2012
    assert not isere.in_plan(2021) and isere.in_plan(2014)


def test_trieves_reads_the_isere_plan_as_it_is_worded(conn):
    """The rules declared in plan.yaml: one référent in Trièves, the 4 comités stay départemental."""
    table = objective_status_table(conn, plan=ISERE, year=2016, territory="trieves")
    referents = _row(table, "3.3", "référent territorial")
    assert referents["target"] == 1 and referents["rule_label"] == "objectif de chaque territoire"
    comites = _row(table, "5.4", "comités techniques")
    assert comites["target"] == 4 and comites["rule_label"] == "objectif départemental"
    insalubrite = _row(table, "5.2", "40 situations")
    assert 0 < insalubrite["target"] < 40 and insalubrite["rule_label"] == "au prorata"
    share = _row(table, "4.3", "10 %")
    assert share["target"] == 10 and share["rule_label"] == "objectif départemental"


def test_an_approximate_target_is_declared_with_its_words(conn):
    table = objective_status_table(conn, plan=SARTHE, year=2010)
    row = _row(table, "2F", "une vingtaine")
    assert row["tolerance_label"] == "une vingtaine" and row["target"] == 20


def test_the_overview_tendances_and_the_bilan_agree_on_a_complete_year_of_evictions(conn):
    """One meaning of « année complète »: the zero months of the trêve are zeros, so the last year whose
    months are covered is complete everywhere (it showed complete on the overview, provisional on Tendances)."""
    from data_access import objectives, overview, queries
    from data_access.periods import Period
    from views.bilan import indicators_sheet
    from views.loader import DatabaseLoader

    year = objectives.latest_complete_year(conn, plan=ISERE)
    assert year is not None
    series = queries.indicator_series(
        conn, indicators=["expulsions_effectives"], territories=["38"], period=Period.years(year), granularity="year"
    )
    assert bool(series["complete"].iloc[0]), "Tendances calls the year provisional"
    tiles = overview.family_tiles(conn, territory="38", year=year)
    tile = float(tiles.loc[tiles["part"] == "Expulsions effectives", "value"].iloc[0])
    assert tile == float(series["value"].iloc[0])
    sheet = indicators_sheet(DatabaseLoader(conn), ISERE, year)
    bilan = sheet.loc[sheet["Indicateur"] == "Expulsions effectives", str(year)].dropna()
    assert not bilan.empty and float(bilan.iloc[0]) == tile
