"""The Vue d'ensemble, Plan d'action and Données et méthodes views, built on the demo database for
both plans, every level, periods inside and after each plan, on screen and in presentation."""

from __future__ import annotations

import os
import re

import pytest
from streamlit.testing.v1 import AppTest

from data_access.french import fr_measure
from data_access.vocabulary import CHOOSABLE_LEVELS, ProgressState
from tests.conftest import new_app, open_page, plan_objective_count
from views import donnees_methodes, plan_action, vue_ensemble, wording
from views import params as view_params
from views.loader import DatabaseLoader
from views.model import Group, Scoreboard, Table, Text, Tiles, View

PLANS = {"isere-palhdi-2014-2020": ("2014", "2020"), "sarthe-pdalpd-2008-2012": ("2008", "2012")}
PERIODS = ("plan", ("2021", "2025"))
MODULES = (vue_ensemble, plan_action, donnees_methodes)


def _places(loader: DatabaseLoader, plan: str) -> list[dict[str, str]]:
    """The département, then the first territory of each level (when the département has that level)."""
    departement = str(loader.plans().set_index("code").at[plan, "departement_code"])
    places = [{"niveau": "territoire"}]
    for level in CHOOSABLE_LEVELS:
        members = loader.territories(departement, level.value)
        if not members.empty:
            places.append({"niveau": level.value, "territoire": str(members["code"].iloc[0])})
    return places


def _check(view: View) -> None:
    assert view.title
    assert view.filters
    for chart in view.charts():
        assert chart.figure is not None or chart.message or view.empty
    if view.empty is None:
        assert view.blocks
    for table in view.tables():
        assert list(table.data.columns), table.key
        assert set(table.status_columns) <= set(table.data.columns), table.key
        if table.sparkline_column:
            assert table.sparkline_column in table.data.columns


def _options(module: object, loader: DatabaseLoader, plan: str) -> list[dict[str, str]]:
    if module is not plan_action:
        return [{}]
    axes = list(plan_action.axis_choices(loader, plan))
    return [{}, {"axes": axes[0]}, {"axes": ",".join(axes[1:3]), "statuts": "atteint,non atteint"}, {"axes": "zz", "statuts": "zz"}]


@pytest.mark.parametrize("plan", list(PLANS))
@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.split(".")[-1])
def test_views_build_for_every_level_period_and_option(conn, plan, module):
    loader = DatabaseLoader(conn)
    for place in _places(loader, plan):
        for period in PERIODS:
            first, last = PLANS[plan] if period == "plan" else period
            for options in _options(module, loader, plan):
                for presentation in (False, True):
                    query = {"plan": plan, "debut": first, "fin": last, **place, **options}
                    if presentation:
                        query["presentation"] = "1"
                    parsed = view_params.parse(query, loader)
                    assert not parsed.notices, (query, parsed.notices)
                    view = module.build(parsed.params, loader)
                    _check(view)


def test_overview_has_tiles_points_objectives_and_freshness(conn):
    loader = DatabaseLoader(conn)
    view = vue_ensemble.build(view_params.parse({"plan": "isere-palhdi-2014-2020"}, loader).params, loader)
    tiles = next(block for block in view.blocks if isinstance(block, Tiles))
    assert len(tiles.tiles) == 4
    assert all(tile.caption.startswith("Évolution : ") for tile in tiles.tiles)
    tables = list(view.tables())
    assert [table.key for table in tables][-1] == "fraicheur-des-sources"
    objectives = tables[0]
    count = plan_objective_count("isere-palhdi-2014-2020")
    assert objectives.status_columns == ("Statut",) and len(objectives.data) == count  # the first table is the slide's notes
    assert objectives.full and list(objectives.data.columns)[0] == "Statut"
    statuses = list(objectives.data["Statut"].astype(str))
    apart = sum(("à renseigner" in s) or ("pas de données" in s) for s in statuses)  # counted apart, never as missed
    assert view.status is not None and re.search(rf" sur {count - apart} atteints( \(.*\))?$", view.status), view.status
    assert 1 <= len(view.key_figures) <= 4
    assert view.filters.endswith("(dernière année complète)")


def test_overview_without_a_complete_year_is_empty(conn):
    class NoYear(DatabaseLoader):
        def latest_complete_year(self, plan: str) -> int | None:
            return None

    loader = NoYear(conn)
    view = vue_ensemble.build(view_params.parse({}, loader).params, loader)
    assert view.empty and "make run" in view.empty and not view.blocks


@pytest.mark.parametrize("plan", list(PLANS))
def test_plan_view_groups_one_fiche_each_with_the_axis_heading_once(conn, plan):
    loader = DatabaseLoader(conn)
    params = view_params.parse({"plan": plan}, loader).params
    view = plan_action.build(params, loader)
    structure = loader.plan_structure(plan)
    fiches = [block for block in view.blocks if isinstance(block, Group) and block.title.startswith("**")]
    assert len(fiches) == len(structure)
    assert sum(1 for group in fiches if group.heading) == structure["axis_code"].nunique()
    assert {status.status for status in view.key_figures} <= set(plan_action.STATUSES)
    counted = sum(int(figure.value) for figure in view.key_figures)
    assert counted == len(loader.objective_status_table(plan, params.last_year))
    for group in fiches:
        assert group.key in set(structure["code"])
        for table in (block for block in group.blocks if isinstance(block, Table)):
            assert not table.downloads
            if table.key.startswith("indicateurs-"):
                assert table.sparkline_column == "Évolution"
                assert table.sparkline_label == f"{params.last_year - 5}–{params.last_year}"
            elif table.key.startswith("objectifs-fiche-"):
                assert list(table.data.columns)[:3] == ["Statut", "Objectif (termes du plan)", "Valeur / cible"]
                assert table.data.columns[-1] == "Trajectoire sur le plan" and table.full and not table.sparkline_column
    word = plan_action.axis_word(loader, plan)
    assert word == str(loader.plans().set_index("code").at[plan, "axis_kind"]).capitalize()


@pytest.mark.parametrize("plan", list(PLANS))
@pytest.mark.parametrize("where", ["departement", "territoire"])
def test_scoreboard_counts_the_objective_status_table_and_leads_to_its_lists(conn, plan, where):
    loader = DatabaseLoader(conn)
    query = {"plan": plan}
    if where == "territoire":
        departement = str(loader.plans().set_index("code").at[plan, "departement_code"])
        query["territoire"] = str(loader.territories(departement, "territoire")["code"].iloc[-1])
    params = view_params.parse(query, loader).params
    territory = None if params.is_departement else params.territory
    statuses = loader.objective_status_table(plan, params.last_year, territory)["status"].value_counts()
    for module in (vue_ensemble, plan_action):
        view = module.build(params, loader)
        board = next(block for block in view.blocks if isinstance(block, Scoreboard))
        objectives, fiches = (counts for _, counts in board.rows)
        assert {count.status: count.value for count in objectives} == statuses.to_dict()
        assert sum(count.value for count in fiches) == len(loader.plan_structure(plan))
        for count in objectives:
            listed = plan_action.build(view_params.parse(dict(count.query), loader).params, loader)
            matrix = next(table for table in listed.tables() if table.key.startswith("plan-annee-par-annee"))
            assert len(matrix.data) == count.value, count  # the list it counts
        if territory:
            assert params.territory_name in board.title


@pytest.mark.parametrize("plan", list(PLANS))
def test_plan_matrix_has_a_chip_per_objective_and_plan_year_for_the_plan_and_a_territory(conn, plan):
    loader = DatabaseLoader(conn)
    first, last = PLANS[plan]
    for query in ({"plan": plan}, {"plan": plan, "territoire": "__first__"}):
        if query.get("territoire") == "__first__":
            departement = str(loader.plans().set_index("code").at[plan, "departement_code"])
            query["territoire"] = str(loader.territories(departement, "territoire")["code"].iloc[0])
        params = view_params.parse(query, loader).params
        view = plan_action.build(params, loader)
        matrix = next(table for table in view.tables() if table.key.startswith("plan-annee-par-annee"))
        years = [str(year) for year in range(int(first), int(last) + 1)]
        assert list(matrix.data.columns) == ["Fiche", "Objectif (termes du plan)", *years, "Bilan du plan"]
        assert matrix.status_columns == (*years, "Bilan du plan") and matrix.full
        assert len(matrix.data) == plan_objective_count(plan)
        for column in matrix.status_columns:
            assert all(wording.cell_status(cell) for cell in matrix.data[column]), column
        evaluation = loader.plan_evaluation(plan, None if params.is_departement else params.territory)
        verdicts = [wording.cell_status(cell) for cell in matrix.data["Bilan du plan"]]
        assert verdicts == list(evaluation["verdict"])


def test_plan_view_filters_by_axis_and_status(conn):
    loader = DatabaseLoader(conn)
    plan = "sarthe-pdalpd-2008-2012"
    params = view_params.parse({"plan": plan, "axes": "1", "statuts": "non atteint"}, loader).params
    view = plan_action.build(params, loader)
    assert "orientation 1" in view.filters and "statut : non atteint" in view.filters
    headings = {block.heading for block in view.blocks if isinstance(block, Group) and block.heading}
    assert headings == {plan_action.axis_choices(loader, plan)["1"]}
    assert all(figure.status == "non atteint" for figure in view.key_figures)
    unknown = plan_action.build(params.with_options(axes=("zz",), statuses=("zz",)), loader)
    assert len(unknown.notices) == 2 and "absent des orientations" in unknown.notices[0]


def test_status_badge_and_plan_texts_as_markdown():
    assert wording.status_badge("atteint") == ":green-badge[✔ atteint]"
    assert wording.status_badge("en bonne voie") == ":blue-badge[↗ en bonne voie]"
    assert wording.status_badge("en retard").startswith(":orange-badge[")
    assert wording.status_badge("non atteint").startswith(":red-badge[")
    assert wording.status_badge("pas de données").startswith(":gray-badge[")
    text = "Par an :\n- 40 situations\n  - dont 10 $ urgentes\n- 300 situations\nNombre de séances\n2008. Bilan"
    assert wording.markdown_paragraphs(text, "Objectif") == (
        "**Objectif.** Par an :\n\n- 40 situations\n  - dont 10 \\$ urgentes\n- 300 situations\n\nNombre de séances\n\n2008\\. Bilan"
    )
    assert wording.markdown_paragraphs("- a\n- b", "Description") == "**Description.**\n\n- a\n- b"
    assert fr_measure(40.78) == "41" and fr_measure(6.5) == "6,5" and fr_measure(None) == "–"
    assert wording.sparkline_text([0, 5, 10]) == "▁▅█" and wording.sparkline_text([3, 3]) == "▄▄" and wording.sparkline_text([]) == "–"
    assert [wording.cell_status(cell) for cell in ("✔ 46", "✎", "⚠ en retard", "atteint", "46", "")] == [
        "atteint",
        "à renseigner",
        "en retard",
        "atteint",
        None,
        None,
    ]


def test_data_and_methods_tables_in_french(conn):
    loader = DatabaseLoader(conn)
    params = view_params.parse({"plan": "isere-palhdi-2014-2020"}, loader).params
    view = donnees_methodes.build(params, loader)
    dictionary, history = list(view.tables())
    assert "Couverture (Isère)" in dictionary.data.columns
    granularities = set(", ".join(dictionary.data["Granularités"]).split(", "))
    assert granularities <= {"mois", "trimestre", "année"}, granularities
    assert set(history.data["Nature"]) <= {"démonstration", "référence", "import"}
    assert {"Lot", "Importé le", "Fichier"} <= set(history.data.columns)
    headings = [block.heading for block in view.blocks if isinstance(block, Text)]
    assert headings == ["Méthodes", "Référentiels géographiques et démographiques"]
    assert view.key_figures and view.status and view.status.startswith(f"Objectifs {params.last_year} : ")


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("pages/vue_ensemble.py", {}),
        ("pages/plan_action.py", {}),
        ("pages/plan_action.py", {"plan": "sarthe-pdalpd-2008-2012", "axes": "1,2", "statuts": "atteint,non atteint"}),
        ("pages/donnees_methodes.py", {}),
    ],
)
def test_pages_render(app, page, params):
    open_page(app, page, params)
    assert not app.exception, app.exception
    assert app.title
    if page == "pages/plan_action.py":
        assert app.expander, "no fiche-action"
        if params:
            assert app.multiselect[0].label == "Orientations"
            assert app.multiselect[0].value == ["1", "2"]


def open_every_fiche(at: AppTest) -> None:
    """Open every fiche-action's expander (labelled « **1.1** — … »), as a user clicking each:
    their content is drawn only then."""
    for fiche in at.expander:
        at.session_state[f"group-{re.match(r'[*][*](.+?)[*][*]', fiche.label)[1]}"] = True
    at.run()


def test_a_folded_fiche_sends_nothing_and_opening_it_draws_it(app):
    """Sixteen fiches drawn folded cost 165 elements on every click: a folded one draws its label only."""
    at = open_page(app, "pages/plan_action.py", {"plan": "isere-palhdi-2014-2020"})
    assert len(at.expander) == 16 and not any(e.children for e in at.expander), "a folded fiche draws nothing"
    at.session_state["group-1.1"] = True
    at.run()
    assert not at.exception
    opened = [e for e in at.expander if e.children]
    assert [e.label.split(" — ")[0] for e in opened] == ["**1.1**"]
    assert any("Objectif" in block.value for block in opened[0].markdown), [b.value for b in opened[0].markdown]


@pytest.fixture
def writable_app(small_database_template, tmp_path, monkeypatch):
    """The app on its own copy of a small database (no demo data): the test writes."""
    import shutil

    shutil.copy(small_database_template, tmp_path / "plan.db")
    monkeypatch.setenv("OBSERVATOIRE_DATABASE_URL", f"sqlite:///{tmp_path / 'plan.db'}")
    return new_app()


def test_the_plan_view_offers_the_follow_up_form_to_data_managers_only_and_shows_what_is_recorded(writable_app):
    """The form's own writes are tested in test_progress.py; here: who sees it, and where a record then shows."""
    from data_access.db import make_engine
    from data_access.progress import set_progress
    from ui.auth import SESSION_USER

    query = {"plan": "isere-palhdi-2014-2020"}
    at = open_page(writable_app, "pages/plan_action.py", query)
    assert not at.exception
    open_every_fiche(at)
    assert not any(e.button or e.selectbox or e.text_area for e in at.expander), "an anonymous visitor sees no form"
    at.session_state[SESSION_USER] = "gestion"
    at.run()
    assert sum(1 for button in at.button if button.label == "Enregistrer") == 16, "one form per fiche-action"
    fiches = [expander for expander in at.expander if expander.label.startswith("**")]
    assert len(fiches) == 16 and all(fiche.selectbox[0].label == "État d'avancement" for fiche in fiches)
    fiches[1].selectbox[0].select(ProgressState.ENGAGEE)  # through the form of fiche 1.2
    next(button for button in fiches[1].button if button.label == "Enregistrer").click().run()
    assert not at.exception
    assert [m.value for m in at.success] == ["Suivi de la fiche 1.2 en 2020 enregistré (état d'avancement)."]
    engine = make_engine(os.environ["OBSERVATOIRE_DATABASE_URL"])  # and from elsewhere (the command line)
    with engine.begin() as conn:
        set_progress(conn, plan=query["plan"], action="1.1", year=2020, user="gestion", state="réalisée", done="Feuille de route rédigée")
    engine.dispose()
    at.session_state[SESSION_USER] = None
    fresh = open_page(at, "pages/plan_action.py", query)  # the same session: it sees the record at once
    open_every_fiche(fresh)
    assert not any(e.button for e in fresh.expander), "anonymous again: no form"
    labels = [str(link.proto.label) for link in fresh.get("page_link")]
    assert "**1** réalisée" in labels and "**1** engagée" in labels and "**14** sans suivi" in labels, labels
    assert fresh.expander[0].label.startswith("**1.1** — Rénover la CCAPEX plénière · réalisée")
    assert any("Feuille de route rédigée" in block.value for block in fresh.expander[0].markdown)
    only_done = open_page(new_app(), "pages/plan_action.py", query | {"etats": "réalisée"})
    assert [expander.label.split(" — ")[0] for expander in only_done.expander] == ["**1.1**"]


def test_points_of_attention_follow_the_chosen_territory(conn):
    loader = DatabaseLoader(conn)
    params = view_params.parse({"plan": "isere-palhdi-2014-2020", "territoire": "trieves"}, loader).params
    view = vue_ensemble.build(params, loader)
    attention = next(block for block in view.blocks if isinstance(block, Text) and (block.heading or "").startswith("Points d'attention"))
    assert attention.heading.endswith(" — Trièves")
    sentences = [line for line in attention.body.splitlines() if line.startswith("- ")]
    assert all(line.startswith("- Trièves : ") for line in sentences), sentences
    points = loader.attention_points(params.departement, 2020, territory="trieves")
    assert set(points["territory_code"]) <= {"trieves"}
    tiles = next(block for block in view.blocks if isinstance(block, Tiles))
    badges = [words for tile in tiles.tiles for _, words in tile.objectives]
    assert badges and all(" — " in words and ("/" in words or "échéance" in words or "renseigner" in words) for words in badges), badges


@pytest.mark.parametrize(
    ("row", "text"),
    [
        ({"kind": "min_per_year", "value": 15.0, "target": 15.3}, "15 / ≥ 15,3"),  # a pro rata target, seen on the Métro's tile
        ({"kind": "min_per_year", "value": 15.0, "target": 15.04}, "15 / ≥ 15,04"),
        ({"kind": "min_per_year", "value": 50.0, "target": 40.0}, "50 / ≥ 40"),
        ({"kind": "min_per_year", "value": 15.0, "target": 15.0}, "15 / ≥ 15"),
        ({"kind": "decrease_from_baseline", "value": 311.0, "target": None, "baseline": 311.4}, "311 / < 311,4 (réf.)"),
        ({"kind": "to_be_set", "value": 1234.0, "target": None}, "1 234 / cible à fixer"),
    ],
)
def test_a_target_never_prints_as_its_value_when_they_differ(row, text):
    from views.objective_tables import value_target

    assert value_target({"status": "non atteint", **row}).replace("\u202f", " ") == text
