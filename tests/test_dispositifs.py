"""Programmes (dispositifs) as data, issue 20: « Logement toujours » (seeds/003) with its exact
figures, each over its own period; shares worked out from their parts, or checked against them;
bad files refused in French, leaving the stored programmes as they were."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from data_access.dispositifs import dispositif_results, load_dispositifs
from data_access.errors import UserError
from data_access.models import Dispositif, DispositifAction, DispositifBudget, Indicator
from data_access.plans import plan_directories
from data_access.vocabulary import Outcome, Page
from reporting.bilan import bilan_deck, bilan_xlsx
from tests.conftest import new_app, open_page
from views.bilan import bilan_tables
from views.dispositifs import period_words
from views.loader import DatabaseLoader
from views.model import Group, Table, Text
from views.params import parse
from views.registry import build_view

PLAN = "isere-palhdi-2014-2020"
ISERE = next(d for d in plan_directories() if d.name == PLAN)
FICHES = {"1.1", "3.2"}


def results(conn) -> dict[str, tuple]:
    table = dispositif_results(conn, PLAN)
    return {
        row.outcome: (row.value, row.period_start, row.period_end, row.bound, row.base, row.computed)
        for row in table[table["dispositif_code"] == "logement-toujours"].itertuples()
    }


def test_logement_toujours_is_loaded_with_the_figures_of_its_document(conn):
    found = results(conn)
    start, end = dt.date(2016, 1, 1), dt.date(2018, 12, 31)
    assert found == {
        "personnes_accompagnees": (85.0, start, end, None, None, False),  # « sur la période 2016-2018, 85 personnes »
        "parcours_clotures": (51.0, start, end, None, None, False),  # « Sur les 51 parcours clôturés à fin 2018 »
        "part_renouvelees": (24.0, start, end, None, "parcours_clotures", False),  # « 24 % des mesures »
        "part_dette_minoree": (83.0, None, None, None, None, False),  # no period in the document
        "part_dette_apuree": (46.0, None, None, None, None, False),
        "part_plus_de_3_problematiques": (80.0, None, None, None, None, False),
        "cout_6_mois": (1500.0, None, None, "moins de", None, False),  # « un peu moins de 1500 € »
        "rencontres_6_mois": (5.0, None, None, "plus de", None, False),  # « plus de 5 rencontres »
    }
    table = dispositif_results(conn, PLAN)
    assert set(table["label"]) >= {"Personnes accompagnées", "Part des mesures renouvelées au moins une fois"}
    assert table["quote"].notna().all(), "every figure quotes its sentence"


def test_the_programme_serves_fiche_3_2_over_2016_2019_and_its_budget_is_stored_as_published(conn):
    d, b = Dispositif, DispositifBudget
    programme = conn.execute(select(d.start_year, d.end_year, d.territory_code, d.operators).where(d.code == "logement-toujours")).one()
    assert tuple(programme) == (2016, 2019, "38", "Alpes Isère Habitat ; Pluralis ; Actis")
    assert conn.scalars(select(DispositifAction.action_code).where(DispositifAction.dispositif_code == "logement-toujours")).all() == [
        "3.2"
    ]
    budget = [
        tuple(row)
        for row in conn.execute(
            select(b.start_year, b.end_year, b.funder, b.euros_per_year)
            .where(b.dispositif_code == "logement-toujours")
            .order_by(b.position)
        )
    ]
    assert budget[:2] == [(2016, 2018, None, 207000.0), (2019, 2019, None, 230000.0)]  # « 207K€ / an », « 230K€ sur 2019 »
    shares = {funder: euros for _, _, funder, euros in budget[2:]}
    assert shares["FNAVDL"] == 123000 and shares["Bailleurs"] == 108000
    # the document's shares of 2019 add up to 265 K€ (290 K€ with the direct aids), more than its
    # 230 K€ budget: they are kept as published, and no total is made of them
    assert sum(v for f, v in shares.items() if "aides directes" not in f) == 265000
    assert 265000.0 not in [euros for *_, euros in budget]


def test_a_programme_s_results_are_no_indicator_so_no_sum_of_observations_can_take_them(conn):
    catalogue = set(conn.scalars(select(Indicator.code)))
    assert catalogue and not catalogue & {o.value for o in Outcome}


def write_programme(directory: Path, results: str, fiches: str = "['3.2']") -> Path:
    folder = directory / "dispositifs"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "essai.yaml").write_text(
        "code: essai\nnom: Essai\nsource: Un bilan\noperateurs: [Un bailleur]\nperiode: {debut: 2016, fin: 2018}\n"
        f"territoire: {{code: '38'}}\nfiches: {fiches}\nresultats:\n{results}",
        encoding="utf-8",
    )
    return directory


PARTS = """  - {resultat: parcours_clotures, valeur: 50, debut: 2016-01-01, fin: 2018-12-31}
  - {resultat: mesures_renouvelees, valeur: 12, debut: 2016-01-01, fin: 2018-12-31}
"""


def test_a_share_given_by_its_parts_only_is_worked_out_from_them(conn, tmp_path):
    load_dispositifs(conn, PLAN, write_programme(tmp_path, PARTS), FICHES)
    table = dispositif_results(conn, PLAN).set_index("outcome")
    share = table.loc["part_renouvelees"]
    assert (share["value"], share["base"], share["computed"]) == (24.0, "parcours_clotures", True)
    assert (share["period_start"], share["period_end"]) == (dt.date(2016, 1, 1), dt.date(2018, 12, 31))


def test_a_published_share_agrees_with_its_parts_to_its_rounding(conn, tmp_path):
    agreeing = PARTS + "  - {resultat: part_renouvelees, valeur: 24, debut: 2016-01-01, fin: 2018-12-31}\n"
    load_dispositifs(conn, PLAN, write_programme(tmp_path, agreeing), FICHES)
    assert not dispositif_results(conn, PLAN)["computed"].any()
    wrong = PARTS + "  - {resultat: part_renouvelees, valeur: 30, debut: 2016-01-01, fin: 2018-12-31}\n"
    with pytest.raises(UserError, match=r"publié à 30,0 % ne correspond pas à ses composantes \(12 / 50 donnent 24,0\)"):
        load_dispositifs(conn, PLAN, write_programme(tmp_path / "faux", wrong), FICHES)


@pytest.mark.parametrize(
    ("results", "fiches", "message"),
    [
        ("  - {resultat: personnes_aidees, valeur: 3}\n", "['3.2']", "résultat n° 1 : résultat inconnu « personnes_aidees »"),
        ("  - {resultat: parcours_clotures, valeur: beaucoup}\n", "['3.2']", "la valeur « beaucoup » n'est pas un nombre"),
        ("  - {resultat: parcours_clotures, valeur: 5, borne: environ}\n", "['3.2']", "borne « environ » inconnue"),
        ("  - {resultat: parcours_clotures, valeur: 5, debut: 2018-01-01, fin: 2016-12-31}\n", "['3.2']", "finit avant de commencer"),
        ("  - {resultat: parcours_clotures, valeur: 5, fin: fin 2018}\n", "['3.2']", "date « fin 2018 » invalide"),
        ("  - {resultat: parcours_clotures, valeur: 5}\n", "['9.9']", "fiche(s)-action absente(s) du plan : 9.9"),
    ],
)
def test_a_bad_programme_file_is_refused_in_french_and_leaves_the_stored_ones(conn, tmp_path, results, fiches, message):
    before = dispositif_results(conn, PLAN)
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")) as refused:
        load_dispositifs(conn, PLAN, write_programme(tmp_path, results, fiches), FICHES)
    assert str(refused.value).startswith("Dispositif essai.yaml")
    assert dispositif_results(conn, PLAN).equals(before)


# --- shown: the Dispositifs page, fiche 3.2 of the Plan d'action, the bilan ------------------------


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (dt.date(2016, 1, 1), dt.date(2018, 12, 31), "2016–2018"),
        (dt.date(2018, 1, 1), dt.date(2018, 12, 31), "2018"),
        (None, dt.date(2018, 12, 31), "à fin 2018"),
        (None, dt.date(2018, 6, 30), "au 30/06/2018"),
        (dt.date(2016, 1, 1), None, "depuis 2016"),
        (dt.date(2016, 3, 1), dt.date(2018, 6, 30), "du 01/03/2016 au 30/06/2018"),
        (None, None, "période non précisée"),
    ],
)
def test_a_result_s_period_reads_as_the_document_says_it(start, end, words):
    assert period_words(start, end) == words


def isere_view(conn, query=None):
    loader = DatabaseLoader(conn)
    return build_view(Page.DISPOSITIFS, parse(query or {"plan": PLAN}, loader).params, loader)


def test_the_page_shows_each_published_figure_with_its_period_bound_and_sentence(conn):
    view = isere_view(conn)
    results = next(t for t in view.tables() if t.key == "resultats-logement-toujours").data
    shown = {row["Résultat"]: (row["Valeur"], row["Période couverte"], row["Calcul"]) for _, row in results.iterrows()}
    nnbsp = "\u202f"
    assert shown == {
        "Personnes accompagnées": ("85 personnes", "2016–2018", "publié"),
        "Parcours clôturés": ("51 parcours", "2016–2018", "publié"),
        "Part des mesures renouvelées au moins une fois": (f"24{nnbsp}%", "2016–2018", "publié"),
        "Part des situations avec une dette minorée": (f"83{nnbsp}%", "période non précisée", "publié"),
        "Part des situations avec la dette apurée": (f"46{nnbsp}%", "période non précisée", "publié"),
        "Part des ménages accompagnés cumulant plus de 3 problématiques": (f"80{nnbsp}%", "période non précisée", "publié"),
        "Coût de l'accompagnement global renforcé": (
            f"moins de 1{nnbsp}500 € pour 6 mois d'accompagnement",
            "période non précisée",
            "publié",
        ),
        "Rencontres à domicile par bénéficiaire": ("plus de 5 rencontres pour 6 mois d'accompagnement", "période non précisée", "publié"),
    }
    assert results["Citation du document"].str.startswith("«").all()
    assert view.key_figures[0].label == "Personnes accompagnées (2016–2018)" and view.key_figures[0].value == "85"
    assert not view.demo and "juin 2020" in view.source  # published facts, credited to their document
    chart = view.main_chart
    assert chart is not None and list(chart.figure.data[0].x) == [80.0, 46.0, 83.0, 24.0]  # the shares, top to bottom
    budget = next(t for t in view.tables() if t.key == "budget-logement-toujours").data
    assert budget["Montant par an (€)"].tolist() == [207000, 230000, 123000, 108000, 15000, 12000, 7000, 25000]
    assert not budget["Ligne"].str.contains("Total").any()  # as published: never added up
    facts = next(b for b in view.blocks if isinstance(b, Text)).body
    assert "3.2 — Articuler les mises en jeu de garanties" in facts and "Alpes Isère Habitat ; Pluralis ; Actis" in facts


def test_a_share_worked_out_from_its_parts_says_how(conn, tmp_path):
    load_dispositifs(conn, PLAN, write_programme(tmp_path, PARTS), FICHES)
    results = next(t for t in isere_view(conn).tables() if t.key == "resultats-essai").data.set_index("Résultat")
    assert results.loc["Part des mesures renouvelées au moins une fois", "Calcul"] == "calculé : 12 / 50 parcours clôturés"
    assert results.loc["Part des mesures renouvelées au moins une fois", "Valeur"] == "24\u202f%"


def test_a_plan_without_programme_says_so_in_french(conn):
    view = isere_view(conn, {"plan": "sarthe-pdalpd-2008-2012"})
    assert [type(b) for b in view.blocks] == [Text] and view.blocks[0].body.startswith("Aucun dispositif n'est décrit pour ce plan.")


def test_fiche_3_2_of_the_plan_d_action_shows_the_programme_s_results(conn):
    loader = DatabaseLoader(conn)
    view = build_view(Page.PLAN_ACTION, parse({"plan": PLAN}, loader).params, loader)
    fiche = next(b for b in view.blocks if isinstance(b, Group) and b.key == "3.2")
    table = next(b for b in fiche.blocks if isinstance(b, Table) and b.key == "dispositif-logement-toujours-fiche-3.2")
    assert table.title == "Dispositif « Logement toujours » (2016–2019) : résultats publiés"
    assert table.data.iloc[0].tolist() == ["Personnes accompagnées", "85 personnes", "2016–2018", "publié"]
    others = [b for b in view.blocks if isinstance(b, Group) and b.key != "3.2"]
    assert not [b for g in others for b in g.blocks if isinstance(b, Table) and b.key.startswith("dispositif-")]


def test_the_bilan_has_the_programme_in_its_workbook_and_after_its_fiche_in_its_deck(conn, backend):
    if backend != "sqlite":
        pytest.skip("bilan testé sur SQLite seulement")
    book = load_workbook(io.BytesIO(bilan_xlsx(conn, PLAN, 2018)))
    assert "Dispositifs" in book.sheetnames
    rows = list(book["Dispositifs"].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if "Fiche-action" in row)
    found = [dict(zip(rows[header], row, strict=True)) for row in rows[header + 1 :] if row[0]]
    assert len(found) == 8 and {r["Fiche-action"].split(" – ")[0] for r in found} == {"3.2"}
    assert found[0]["Valeur"] == "85 personnes" and found[0]["Période couverte"] == "2016–2018"
    titles = [slide.title for slide in bilan_deck(conn, PLAN, 2018).slides]
    where = titles.index("Chantier 3 : dispositif « Logement toujours » (fiche 3.2)")
    assert titles[where - 1].startswith("Chantier 3 : suivi des fiches-action")
    assert "Dispositifs" not in bilan_tables(DatabaseLoader(conn), "sarthe-pdalpd-2008-2012", 2010)  # none: no empty sheet


def test_the_page_runs_in_the_app_for_both_plans(app):
    at = open_page(app, "pages/dispositifs.py", {"plan": PLAN})
    assert not at.exception and not at.error
    assert any("Logement toujours" in m.value for m in at.markdown)
    at = open_page(new_app(), "pages/dispositifs.py", {"plan": "sarthe-pdalpd-2008-2012"})  # a new visitor: the plan is a session's choice
    assert not at.exception and any("Aucun dispositif n'est décrit" in m.value for m in at.markdown)
