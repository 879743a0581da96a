"""Programmes (dispositifs) as data, issue 20: « Logement toujours » (seeds/003) with its exact
figures, each over its own period; shares worked out from their parts, or checked against them;
bad files refused in French, leaving the stored programmes as they were."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from data_access.dispositifs import dispositif_results, load_dispositifs
from data_access.errors import UserError
from data_access.models import Dispositif, DispositifAction, DispositifBudget, Indicator
from data_access.plans import plan_directories
from data_access.vocabulary import Outcome

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
