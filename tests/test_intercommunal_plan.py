"""An intercommunal plan (issue 20): the PLH 2010–2015 of Grenoble-Alpes Métropole as data, its
objectives « à fixer », every plan's objectives side by side on a territory's page, and an
objective set on a past perimeter of the EPCI evaluated on that perimeter (both backends)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, insert, select

from data_access.errors import UserError
from data_access.models import HistoricPerimeter, Objective, Observation
from data_access.objectives import objective_status_frame, objective_status_table
from data_access.perimeters import historic_members, load_perimeters, perimeter_value
from data_access.periods import Period
from data_access.queries import indicator_series, plan_objectives, plan_structure
from data_access.vocabulary import PAGES as REGISTRY
from reporting.bilan import bilan_deck
from tests.test_app import run_page
from views import plan_action, vue_ensemble
from views.bilan import bilan_tables
from views.loader import DatabaseLoader
from views.model import Table
from views.params import parse

ISERE, PLH = "isere-palhdi-2014-2020", "grenoble-alpes-metropole-plh-2010-2015"
METRO = "200040715"  # Grenoble-Alpes-Métropole (SIREN)
# a hand-made past perimeter: three of the Métro's communes (Grenoble, Échirolles, Saint-Martin-d'Hères)
PAST = ("38151", "38185", "38421")


def test_the_plh_is_its_three_orientations_and_nine_pistes(conn):
    structure = plan_structure(conn, plan=PLH)
    assert structure.groupby("axis_code").size().to_dict() == {"1": 2, "2": 4, "3": 3}
    assert structure["axis_title"].iloc[0].startswith("Mieux connaître les besoins pour adapter les réponses")
    objectives = plan_objectives(conn, plan=PLH)
    assert set(objectives["territory_code"]) == {METRO}
    assert objectives["target_value"].isna().all()  # the workshops set no figure: none is invented
    to_be_set = objectives[objectives["kind"] == "to_be_set"]
    assert len(to_be_set) == 6 and to_be_set["label"].str.contains("Se donner des objectifs chiffrés").all()


def test_its_objectives_are_shown_to_be_set(conn):
    table = objective_status_table(conn, plan=PLH, year=2013)
    to_be_set = table[table["kind"] == "to_be_set"]
    assert set(to_be_set["status"]) == {"à fixer"}
    measured = to_be_set[to_be_set["indicator_code"] == "places_hebergement_creees"].iloc[0]
    assert measured["target"] is None or measured["target"] != measured["target"]  # no target, never judged
    assert set(table.loc[table["kind"] == "to_be_set", "rule_label"]) == {"objectif du territoire"}


def _side_by_side(view) -> Table | None:
    return next((b for b in view.blocks if isinstance(b, Table) and b.key.startswith("tous-les-plans-detail-")), None)


@pytest.mark.parametrize("plan", [ISERE, PLH])
def test_the_metro_page_shows_both_plans_objectives_side_by_side(conn, plan):
    loader = DatabaseLoader(conn)
    params = parse({"plan": plan, "niveau": "epci", "territoire": METRO}, loader).params
    view = plan_action.build(params, loader)
    table = _side_by_side(view)
    assert table is not None and "Grenoble-Alpes-Métropole" in str(table.title)
    by_plan = table.data.groupby("Plan").size().to_dict()
    assert set(by_plan) == {"PALHDI 2014–2020", "PLH 2010–2015"}
    assert by_plan["PLH 2010–2015"] == len(plan_objectives(conn, plan=PLH))
    assert table.data["Plan"].iloc[0] == ("PALHDI 2014–2020" if plan == ISERE else "PLH 2010–2015")  # the page's plan first
    plh = table.data[table.data["Plan"] == "PLH 2010–2015"]
    assert (plh["Statut"] == "○ à fixer").sum() == 6 and set(plh["Lecture territoriale"]) == {"objectif du territoire"}
    assert set(plh["Période évaluée"]) <= {str(year) for year in range(2010, 2016)}  # read within its own period
    summary = next(b for b in view.blocks if isinstance(b, Table) and b.key == f"tous-les-plans-{plan}-{params.last_year}")
    rows = summary.data.set_index("Plan")
    assert rows.loc["PLH 2010–2015", "Objectifs"] == by_plan["PLH 2010–2015"] and rows.loc["PLH 2010–2015", "○ à fixer"] == 6
    assert rows.loc["PALHDI 2014–2020", "○ à fixer"] == 0 and rows.loc["PALHDI 2014–2020", "Objectifs"] == by_plan["PALHDI 2014–2020"]


def test_the_metro_overview_puts_both_plans_side_by_side(conn):
    loader = DatabaseLoader(conn)
    view = vue_ensemble.build(parse({"plan": ISERE, "niveau": "epci", "territoire": METRO}, loader).params, loader)
    summary = next(b for b in view.blocks if isinstance(b, Table) and b.key.startswith("tous-les-plans-"))
    assert list(summary.data["Plan"]) == ["PALHDI 2014–2020", "PLH 2010–2015"] and "Plan d'action" in str(summary.caption)
    assert not [b for b in view.blocks if isinstance(b, Table) and b.key.startswith("tous-les-plans-detail-")]


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"plan": ISERE}, False),  # the département: the plan's own page
        ({"plan": ISERE, "niveau": "commune", "territoire": "38185"}, True),  # Grenoble: its EPCI's PLH applies
        ({"plan": ISERE, "niveau": "commune", "territoire": "38563"}, False),  # Voiron: no PLH objective there
        ({"plan": ISERE, "niveau": "territoire", "territoire": "trieves"}, False),
    ],
)
def test_other_plans_appear_only_where_they_apply(conn, query, shown):
    loader = DatabaseLoader(conn)
    view = plan_action.build(parse(query, loader).params, loader)
    assert (_side_by_side(view) is not None) is shown


def _add_objective(conn, position: int, indicator: str, kind: str, target: float, perimeter: dt.date | None) -> None:
    conn.execute(
        insert(Objective).values(
            plan_code=PLH,
            action_code="1.1",
            position=position,
            indicator_code=indicator,
            territory_code=METRO,
            period_start=dt.date(2010, 1, 1),
            period_end=dt.date(2015, 12, 31),
            kind=kind,
            target_value=target,
            label=f"objectif d'essai {position}",
            territorial_rule="territorial",
            perimeter_date=perimeter,
        )
    )


def _stored(conn, indicator: str, communes: tuple[str, ...] | None, year: int) -> float:
    stmt = select(func.sum(Observation.value)).where(
        Observation.indicator_code == indicator, Observation.granularity == "year", Observation.period_start == dt.date(year, 1, 1)
    )
    if communes is not None:
        stmt = stmt.where(Observation.territory_code.in_(communes))
    return float(conn.scalar(stmt) or 0)


def test_an_objective_on_a_past_perimeter_is_evaluated_on_that_perimeter(conn):
    assert (
        load_perimeters(
            conn, PLH, [{"territoire": METRO, "du": "2000-01-01", "au": "2013-12-31", "source": "essai", "communes": list(PAST)}]
        )
        == 3
    )
    assert historic_members(conn, METRO, dt.date(2013, 6, 30)) == PAST
    assert historic_members(conn, METRO, dt.date(2014, 1, 1)) is None  # today's composition since the merger
    _add_objective(conn, 100, "dalo_relogements", "min_per_year", 10, dt.date(2013, 12, 31))
    _add_objective(conn, 101, "dalo_relogements", "min_per_year", 10, None)
    _add_objective(conn, 102, "taux_relogement_dalo", "share_min", 50, dt.date(2013, 12, 31))
    objectives = plan_objectives(conn, plan=PLH)
    table = objective_status_frame(conn, objectives[objectives["position"] >= 100], None, 2013).set_index("label")
    past, today, ratio = (table.loc[f"objectif d'essai {n}"] for n in (100, 101, 102))
    communes = select(Observation.territory_code).where(Observation.territory_code.in_(PAST)).distinct()
    assert len(conn.scalars(communes).all()) == 3  # the demo has values in each
    assert past["value"] == pytest.approx(_stored(conn, "dalo_relogements", PAST, 2013))
    assert past["perimeter_label"] == "périmètre au 31/12/2013 : 3 communes"
    assert today["value"] > past["value"] and today["perimeter_label"] == ""  # the 49 communes of today
    relogements, decisions = (_stored(conn, code, PAST, 2013) for code in ("dalo_relogements", "dalo_decisions_favorables"))
    assert ratio["value"] == pytest.approx(relogements / decisions * 100)  # recomputed from the perimeter's sums
    assert past["status"] == ("atteint" if past["value"] >= 10 else "non atteint")
    shown = plan_action.fiche_objectives(table.reset_index().iloc[[0]], {})
    assert shown["Objectif (termes du plan)"].iloc[0] == "objectif d'essai 100 — périmètre au 31/12/2013 : 3 communes"


def test_a_ratio_on_a_perimeter_needs_both_parts():
    rows = [("num", "a", None, 3.0, True, False), ("num", "b", None, 1.0, True, True), ("den", "a", None, 8.0, True, False)]
    assert perimeter_value(rows, ("num", "den"), 100) == (50.0, True)
    assert perimeter_value(rows[:2], ("num", "den"), 100) == (None, True)
    assert perimeter_value([("den", "a", None, 0.0, True, False), *rows[:1]], ("num", "den"), 100) == (None, False)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"territoire": "999999999", "du": "2000-01-01", "au": "2013-12-31", "source": "s", "communes": ["38185"]}, "regroupement inconnu"),
        ({"territoire": METRO, "du": "2014-01-01", "au": "2013-12-31", "source": "s", "communes": ["38185"]}, "avant de commencer"),
        ({"territoire": METRO, "du": "2000-01-01", "au": "2013-12-31", "source": "s", "communes": ["72181"]}, "hors du département 72181"),
        ({"territoire": METRO, "du": "hier", "au": "2013-12-31", "source": "s", "communes": ["38185"]}, "AAAA-MM-JJ"),
        ({"territoire": METRO, "du": "2000-01-01"}, "demande"),
    ],
)
def test_a_bad_perimeter_is_refused_in_french_and_stores_nothing(conn, entry, message):
    before = conn.scalar(select(func.count()).select_from(HistoricPerimeter))
    with pytest.raises(UserError, match=message):
        load_perimeters(conn, PLH, [entry])
    assert conn.scalar(select(func.count()).select_from(HistoricPerimeter)) == before


@pytest.mark.parametrize("page", [info.script for info in REGISTRY])
@pytest.mark.parametrize("presentation", ["", "1"])
def test_every_page_opens_on_the_plh_for_the_metro(app, page, presentation):
    run_page(app, page, plan=PLH, niveau="epci", territoire=METRO, **({"presentation": "1"} if presentation else {}))
    assert app.title or presentation
    shown = " ".join(m.value for m in app.markdown) + " ".join(c.value for c in app.caption)
    assert "Traceback" not in shown


def test_the_plan_page_on_the_plh_says_to_be_set(app):
    run_page(app, "pages/plan_action.py", plan=PLH, niveau="epci", territoire=METRO)
    cells = " ".join(frame.value.to_csv() for frame in [*app.table, *app.dataframe])
    assert "○ à fixer" in cells and "Se donner des objectifs chiffrés" in cells and "PALHDI 2014–2020" in cells


@pytest.mark.parametrize(
    ("query", "level", "territory"),
    [
        ({"plan": PLH}, "epci", METRO),  # an intercommunal plan opens on its perimeter
        ({"plan": PLH, "niveau": "territoire"}, "territoire", "38"),
        ({"plan": PLH, "territoire": "38"}, "territoire", "38"),
        ({"plan": PLH, "niveau": "commune", "territoire": "38185"}, "commune", "38185"),
        ({"plan": ISERE}, "territoire", "38"),  # a département's plan opens on its département
    ],
)
def test_an_intercommunal_plan_opens_on_its_perimeter(conn, query, level, territory):
    params = parse(query, DatabaseLoader(conn)).params
    assert (params.level.value, params.territory) == (level, territory)


@pytest.mark.parametrize(
    ("start", "expected"),
    [({}, ("epci", METRO)), ({"niveau": "territoire", "territoire": "trieves"}, ("territoire", "trieves"))],
)
def test_choosing_the_plh_in_the_sidebar_opens_the_metro_from_the_departement_only(app, start, expected):
    run_page(app, "pages/vue_ensemble.py", plan=ISERE, **start)
    app.selectbox(key="f_plan").select(PLH).run()
    assert not app.exception
    assert (app.selectbox(key="f_level").value, app.selectbox(key="f_territory").value) == expected


@pytest.mark.parametrize(
    ("plan", "home", "words"),
    [(PLH, METRO, "valeur de Grenoble-Alpes-Métropole (périmètre du plan)"), (ISERE, "38", "valeur du département")],
)
def test_the_bilan_reads_its_indicators_on_the_plans_perimeter(conn, plan, home, words):
    """The PLH's bilan gave the département's values (115 demands: 25 500 → 27 000) under a PLH of the Métro."""
    loader = DatabaseLoader(conn)
    sheet = bilan_tables(loader, plan, 2015)["Indicateurs"]
    assert sheet.attrs["where"] == words
    row = sheet.dropna(subset=["2015"]).iloc[0]
    code = loader.indicator_catalogue().set_index("label").at[row["Indicateur"], "code"]
    stored = {
        territory: float(
            indicator_series(conn, indicators=[code], territories=[territory], period=Period.years(2015), granularity="year")["value"].iloc[
                0
            ]
        )
        for territory in {home, "38"}
    }
    assert row["2015"] == pytest.approx(stored[home])
    if home != "38":
        assert stored[home] != stored["38"]  # the Métro is part of the département, not the whole


def test_the_plh_bilan_shows_its_thematic_views_on_the_metro(conn, backend):
    if backend != "sqlite":
        pytest.skip("the deck is drawn once, on SQLite (its queries are those of the pages)")
    deck = bilan_deck(conn, PLH, 2015)
    fsl = [slide for slide in deck.slides if slide.title.startswith("FSL — aides accordées")]
    assert fsl and all("Grenoble-Alpes-Métropole" in slide.filters for slide in fsl)
    indicators = next(slide for slide in deck.slides if slide.title.startswith("Indicateurs des fiches-action"))
    assert "valeur de Grenoble-Alpes-Métropole (périmètre du plan)" in indicators.filters
    compared = next(slide for slide in deck.slides if slide.title.startswith("Territoires — assignations"))
    assert "Isère" in compared.filters  # the territorial comparison stays the département's
