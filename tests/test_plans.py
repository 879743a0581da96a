"""Plans as data: both seeds loaded completely, every quantified objective exact, loading idempotent."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select, text

from data_access.models import Base, PlanAction, PlanAxis, Territory
from data_access.plans import load_plan, plan_directories
from data_access.queries import plan_objectives

ISERE, SARTHE = "isere-palhdi-2014-2020", "sarthe-pdalpd-2008-2012"

# Every quantified objective of seeds 000 and 002 with its exact figure, kind and indicator.
# (plan, action, kind, indicator, target, baseline, territory, words quoted in the label)
QUANTIFIED = [
    (ISERE, "5.2", "min_per_year", "signalements_insalubrite", 40, None, "38", "40 situations d’insalubrité"),
    (ISERE, "5.2", "min_per_year", "signalements_non_decence", 300, None, "38", "300 situations de non-décence"),
    (ISERE, "5.2", "min_per_year", "situations_precarite_energetique_traitees", 650, None, "38", "650 situations de précarité"),
    (ISERE, "5.2", "increase_from_baseline", "menages_reperes", None, 1529, "38", "1 529 ménages"),
    (ISERE, "5.4", "min_per_year", "comites_suivi_precarite", 4, None, "38", "4 comités techniques"),
    (ISERE, "5.3", "decrease_from_baseline", "fsl_demandes_charges_courantes", None, 10248, "38", "10 248 demandes"),
    (ISERE, "5.3", "decrease_from_baseline", "fsl_demandes_energie", None, 6148, "38", "6 148 pour de l'énergie"),
    (ISERE, "3.3", "stock_target", "referents_territoriaux", 13, None, "38", "(13)"),
    (ISERE, "4.3", "share_min", "part_filiere_prioritaire", 10, None, "38", "10 % de l'offre"),
    (ISERE, "1.1", "milestone", None, None, None, "38", "Disposer d'une feuille de route doctrinale"),
    (ISERE, "1.3", "milestone", None, None, None, "38", "Disposer d'outils permanents informatisés"),
    (SARTHE, "1B", "ratio_max", "taux_cql_assignations", 33, None, "72", "(33%)"),
    (SARTHE, "2B", "min_per_year", "logements_sortis_indignite", 10, None, "72", "au moins 10 logements"),
    (SARTHE, "3B", "min_per_year", "menages_reloges_demarche_projet", 10, None, "72", "10 ménages par an"),
    (SARTHE, "2F", "min_per_year", "projets_habitat_adapte", 20, None, "72", "une vingtaine par an"),
    (SARTHE, "2A", "min_cumulative", "logements_tres_sociaux_prives", 30, None, "le-mans-metropole", "30 sur Le Mans Métropole"),
    (SARTHE, "2A", "min_cumulative", "logements_tres_sociaux_prives", 10, None, "reste-departement", "10 sur le territoire rural"),
]


@pytest.mark.parametrize(("plan", "action", "kind", "indicator", "target", "baseline", "territory", "words"), QUANTIFIED)
def test_every_quantified_objective_is_loaded_exactly(conn, plan, action, kind, indicator, target, baseline, territory, words):
    objectives = plan_objectives(conn, plan=plan)
    match = objectives[(objectives["action_code"] == action) & objectives["label"].str.contains(words, regex=False)]
    assert len(match) == 1, f"{plan} {action}: no single objective quoting « {words} »"
    row = match.iloc[0]
    assert (row["kind"], row["territory_code"]) == (kind, territory)
    assert (row["indicator_code"] if pd.notna(row["indicator_code"]) else None) == indicator
    assert (None if pd.isna(row["target_value"]) else row["target_value"]) == target
    assert (None if pd.isna(row["baseline_value"]) else row["baseline_value"]) == baseline


def test_sml_baseline_period_is_november_2012_to_november_2013(conn):
    objectives = plan_objectives(conn, plan=ISERE)
    row = objectives[objectives["indicator_code"] == "menages_reperes"].iloc[0]
    assert (row["baseline_start"], row["baseline_end"]) == (dt.date(2012, 11, 1), dt.date(2013, 10, 31))


@pytest.mark.parametrize(("plan", "axes", "actions"), [(ISERE, 5, 16), (SARTHE, 4, 20)])
def test_plans_have_every_axis_and_fiche_action_of_their_seed(conn, plan, axes, actions):
    # seed 000 has 5 chantiers and 16 fiches-action (1.1–1.4, 2.1–2.2, 3.1–3.3, 4.1–4.3, 5.1–5.4);
    # seed 002 has 4 orientations and 20 actions (1A–1F, 2A–2G, 3A–3D, 4A–4C)
    assert conn.scalar(select(func.count()).select_from(PlanAxis).where(PlanAxis.plan_code == plan)) == axes
    assert conn.scalar(select(func.count()).select_from(PlanAction).where(PlanAction.plan_code == plan)) == actions


def test_isere_fiches_carry_the_three_evaluation_indicators(conn):
    rows = conn.execute(
        select(PlanAction.evaluation_effectivite, PlanAction.evaluation_efficacite, PlanAction.evaluation_impact).where(
            PlanAction.plan_code == ISERE
        )
    ).all()
    assert all(all(texts) for texts in rows)


def _snapshot(conn) -> dict[str, list]:
    return {
        t.name: sorted(map(tuple, conn.execute(select(t)).all()), key=repr) for t in Base.metadata.sorted_tables if t.name != "import_batch"
    }


def test_loading_a_plan_twice_changes_nothing(conn):
    before = _snapshot(conn)
    for directory in plan_directories():
        load_plan(conn, directory)
    assert _snapshot(conn) == before


def test_households_are_loaded_for_every_commune(conn):
    communes = conn.execute(
        select(Territory.departement_code, func.count(), func.sum(Territory.households))
        .where(Territory.level == "commune")
        .group_by(Territory.departement_code)
    ).all()
    # INSEE RP 2021: Isère 565 053 households over 521 communes (2018 geography), Sarthe 255 080 over 360
    assert sorted(communes) == [("38", 521, 565053), ("72", 360, 255080)]
    assert conn.scalar(select(func.count()).select_from(Territory).where(Territory.level == "commune", Territory.households.is_(None))) == 0


@pytest.mark.parametrize(
    ("level", "departement", "count"),
    [("territoire", "38", 13), ("arrondissement", "38", 3), ("territoire", "72", 2), ("arrondissement", "72", 3)],
)
def test_groupings_of_each_departement(conn, level, departement, count):
    assert (
        conn.scalar(select(func.count()).select_from(Territory).where(Territory.level == level, Territory.departement_code == departement))
        == count
    )


def test_membership_gives_each_commune_one_grouping_per_level(conn):
    counts = conn.execute(
        text(
            "SELECT member_code, group_level, COUNT(*) FROM territory_membership WHERE member_level = 'commune' GROUP BY member_code, group_level HAVING COUNT(*) > 1"
        )
    ).all()
    assert counts == []
