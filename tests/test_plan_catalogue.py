"""The plans' data against the catalogue (pure: the YAML files only, no database).

Every objective of both plans can be evaluated: a known kind, an explicit territorial rule, an
indicator of the catalogue listed in its fiche (only the qualitative milestones below go without),
and the exact words and figures of seeds 000 (Isère) and 002 (Sarthe).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from data_access.settings import ROOT
from data_access.status import KIND_LABELS

ISERE, SARTHE = "isere-palhdi-2014-2020", "sarthe-pdalpd-2008-2012"
SEEDS = {ISERE: "000_546f12f880be95d4.txt", SARTHE: "002_659bda0e9022f028.txt"}
CATALOGUE_SIZE = 180  # 58 before issue 13, 164 before issue 20
RULES = {"prorata", "chaque_territoire", "departemental"}
COUNT_KINDS = {"min_per_year", "max_per_year", "min_cumulative", "decrease_from_baseline", "increase_from_baseline", "stock_target"}
BASELINE_KINDS = {"decrease_from_baseline", "increase_from_baseline"}
THEMES = {"expulsions", "fsl", "mal_logement", "acces_hebergement", "pilotage", "contexte"}
GRANULARITIES = {"month", "quarter", "year"}


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


CATALOGUE = {e["code"]: e for e in _load(ROOT / "plans" / "indicateurs.yaml")["indicateurs"]}
PLANS = {code: _load(ROOT / "plans" / code / "plan.yaml") for code in (ISERE, SARTHE)}
ACTIONS = {(plan, str(a["code"])): a for plan, data in PLANS.items() for axis in data["axes"] for a in axis["actions"]}
OBJECTIVES = [(plan, action, position, o) for (plan, action), a in ACTIONS.items() for position, o in enumerate(a.get("objectifs") or [])]


def _objectives(plan: str, action: str, words: str) -> list[dict]:
    return [o for p, a, _, o in OBJECTIVES if (p, a) == (plan, action) and words in o["label"]]


# Objectives added or completed for issue 13: (plan, action, words of the label, kind, target, indicator)
NEW_OBJECTIVES = [
    # Isère — quantified objectives
    (ISERE, "1.2", "Un traitement d'exception en groupes techniques CCAPEX", "milestone", None, "decisions_groupes_techniques_ccapex"),
    (ISERE, "2.2", "Augmenter le nombre de support de diffusion", "increase_from_baseline", None, "supports_diffusion"),
    (
        ISERE,
        "2.2",
        "augmenter le nombre d'acteurs qui délivrent les supports",
        "increase_from_baseline",
        None,
        "acteurs_delivrant_supports",
    ),
    (
        ISERE,
        "3.1",
        "Diminuer le nombre d'interruptions des droits (suspension et durée AL/ APL",
        "decrease_from_baseline",
        None,
        "interruptions_droits_al_apl",
    ),
    (
        ISERE,
        "3.1",
        "aucun ménage en situation d'impayé n'est sans proposition d'accompagnement",
        "max_per_year",
        0,
        "menages_impayes_sans_proposition_accompagnement",
    ),
    (
        ISERE,
        "3.2",
        "Nombre de ménages bénéficiant d'une mise en jeu de garantie associée à une mesure d'accompagnement",
        "increase_from_baseline",
        None,
        "mej_garantie_avec_accompagnement",
    ),
    (
        ISERE,
        "3.3",
        "Suivre un nombre de situations (X) que le droit commun ne parvient pas à traiter",
        "min_per_year",
        None,
        "situations_suivies_referents",
    ),
    (ISERE, "3.3", "Un référent territorial par territoire du Conseil général (13)", "stock_target", 13, "referents_territoriaux"),
    (
        ISERE,
        "4.1",
        "Augmentation du nombre d'accompagnement suite à l'audience",
        "increase_from_baseline",
        None,
        "accompagnements_post_audience",
    ),
    (ISERE, "5.1", "Réduire le nombre de logements HLM dont la cotation", "decrease_from_baseline", None, "logements_hlm_classes_efg"),
    (
        ISERE,
        "5.2",
        "650 situations de précarité énergétiques repérées et traitées",
        "min_per_year",
        650,
        "situations_precarite_energetique_traitees",
    ),
    (
        ISERE,
        "5.2",
        "Diminution du montant des charges d’au moins 25 % dans le parc privé appartenant à des propriétaires modestes en réalisant des travaux d’isolation",
        "share_min",
        25,
        "taux_baisse_charges_travaux_isolation",
    ),
    (ISERE, "5.3", "Réduire le nombre d'impayés pour les bailleurs", "decrease_from_baseline", None, "impayes_bailleurs_parc_public"),
    (ISERE, "5.3", "charges courantes dans le parc public", "decrease_from_baseline", None, "fsl_demandes_charges_courantes_parc_public"),
    (ISERE, "5.3", "10 248 demandes", "decrease_from_baseline", None, "fsl_demandes_charges_courantes"),
    (ISERE, "5.3", "dont 6 148 pour de l'énergie tous parcs confondus", "decrease_from_baseline", None, "fsl_demandes_energie"),
    # Isère — qualitative evaluation indicators, as milestones
    (
        ISERE,
        "1.1",
        "Faculté de la CCAPEX plénière à piloter la politique de la prévention des expulsions et à édicter une doctrine départementale",
        "milestone",
        None,
        None,
    ),
    (ISERE, "1.2", "Modification du règlement de la CCAPEX", "milestone", None, None),
    (ISERE, "1.2", "évolution de la composition des acteurs (niveaux de représentations décisionnels)", "milestone", None, None),
    (ISERE, "1.2", "recherche et mise en place de solution pour les situations les plus en difficulté", "milestone", None, None),
    (ISERE, "1.3", "Mise en place de l'AMO", "milestone", None, None),
    (ISERE, "1.3", "Production de résultats d'observation permanente dans le cadre de l'observatoire du PDH", "milestone", None, None),
    (ISERE, "1.3", "Utilisation par les partenaires du dispositif d'observation", "milestone", None, None),
    (ISERE, "1.4", "Charte complétée", "milestone", None, None),
    (ISERE, "1.4", "Charte adoptée par le PALHDI", "milestone", None, None),
    (ISERE, "1.4", "Charte utilisée comme cadre commun du travail des instances locales dédiées au maintien", "milestone", None, None),
    (ISERE, "2.1", "Réalisation des outils d'information décrits", "milestone", None, None),
    (
        ISERE,
        "3.1",
        "Rédaction, impression et diffusion des documents par les partenaires et formalisation des process.",
        "milestone",
        None,
        None,
    ),
    (ISERE, "3.2", "Plan d'action (cf. modalité 1 et 2) validé par les partenaires et intégré dans la charte", "milestone", None, None),
    (ISERE, "3.2", "Mise en application du process lors des mises en jeu de garanties financière", "milestone", None, None),
    (ISERE, "4.2", "Intégration du diagnostic social à la procédure d'enquête assignation", "milestone", None, None),
    (ISERE, "4.3", "Chaînage de l'accès aux moyens de traitement : hébergement, relogement, accompagnement", "milestone", None, None),
    (ISERE, "4.3", "Participation des partenaires de la Charte", "milestone", None, None),
    (ISERE, "5.1", "Réalisation et organisation de la mise à jour du référentiel cartographié", "milestone", None, None),
    (ISERE, "5.2", "Utilisation par les partenaires de l’application informatique “Sortir du mal logement (SML)”", "milestone", None, None),
    (ISERE, "5.4", "profils des participants, ordre du jour, comptes-rendus et suites données aux réunions", "milestone", None, None),
    # Sarthe — quantified objectives
    (SARTHE, "1C", "Réduire le nombre de refus de la force publique", "decrease_from_baseline", None, "cfp_refuses"),
    (SARTHE, "2D", "d'une résidence pour personnes en souffrance psychique (17 places), quartier des Sables d'Or", "milestone", None, None),
    (
        SARTHE,
        "2D",
        "Création de 3 autres maisons relais de 15 à 20 places, deux sur Le Mans Métropole",
        "min_cumulative",
        2,
        "maisons_relais_creees",
    ),
    (SARTHE, "2D", "une capacité complémentaire sur le reste du territoire", "min_cumulative", 1, "maisons_relais_creees"),
    (
        SARTHE,
        "2F",
        "Faciliter l'émergence de projets d'habitat adapté (une vingtaine par an)",
        "min_per_year",
        20,
        "projets_habitat_adapte",
    ),
    # Sarthe — qualitative objectives and evaluation indicators, as milestones
    (SARTHE, "1C", "Mettre en place un pilotage de la prévention des expulsions", "milestone", None, None),
    (SARTHE, "1C", "Mettre en place des objectifs chiffrés", "milestone", None, None),
    (SARTHE, "1D", "Évaluer et quantifier les problématiques liées aux échecs d'accession sociale à la propriété", "milestone", None, None),
    (SARTHE, "1D", "Effectivité des outils d'observation", "milestone", None, None),
    (SARTHE, "1E", "Adaptation du règlement intérieur du FSL", "milestone", None, None),
    (SARTHE, "1E", "Adaptation des dispositifs", "milestone", None, None),
    (SARTHE, "2D", "Niveau de formalisation des partenariats", "milestone", None, None),
    (SARTHE, "2G", "Niveau de formalisation des partenariats locaux", "milestone", None, None),
    (SARTHE, "3A", "Définition et suivi du contingent préfectoral.", "milestone", None, None),
    (SARTHE, "3A", "Mise en place de l'ACD, du suivi de l'attribution des PLA-I.", "milestone", None, None),
    (SARTHE, "3A", "Écriture d'une charte de coordination de l'attribution prioritaire.", "milestone", None, None),
    (SARTHE, "3C", "Élaboration d'une charte d'utilisation de ces outils", "milestone", None, None),
    (SARTHE, "3C", "Définir un cadre juridique commun aux baux glissants et logements intermédiaires", "milestone", None, None),
    (
        SARTHE,
        "3C",
        "Étudier l'opportunité et la faisabilité de mise en place d'un mécanisme de sécurisation des associations",
        "milestone",
        None,
        None,
    ),
    (SARTHE, "3C", "Respect des clauses du glissement", "milestone", None, None),
    (SARTHE, "3D", "Effectivité de la couverture territoriale", "milestone", None, None),
    (SARTHE, "4A", "Mise en place effective des instances", "milestone", None, None),
    (
        SARTHE,
        "4A",
        "répercussions en terme de changement ou de confirmation d'orientation ou de mise en place d'action",
        "milestone",
        None,
        None,
    ),
    (SARTHE, "4B", "Données trimestriellement et annuellement envoyées aux membres du Comité responsable", "milestone", None, None),
    (
        SARTHE,
        "4C",
        "répercussions en terme de changement ou de confirmation d'orientation ou de mise en place d'action",
        "milestone",
        None,
        None,
    ),
]


@pytest.mark.parametrize(("plan", "action", "words", "kind", "target", "indicator"), NEW_OBJECTIVES)
def test_new_objective_is_exact(plan, action, words, kind, target, indicator):
    matches = [o for o in _objectives(plan, action, words) if o["kind"] == kind and o.get("indicateur") == indicator]
    assert len(matches) == 1, f"{plan} {action}: no single {kind} objective on {indicator} quoting « {words} »"
    assert matches[0].get("cible") == target


def _seed_text(plan: str) -> str:
    path = ROOT.parent / "shared" / "seeds" / SEEDS[plan]
    if not path.exists():
        pytest.skip(f"seed {path} absent")
    text = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))  # seed 000 keeps some HTML
    return re.sub(r"[\s•►]+", " ", text)


@pytest.mark.parametrize(("plan", "action", "words"), sorted({(p, a, w) for p, a, w, *_ in NEW_OBJECTIVES}))
def test_new_objective_quotes_its_seed(plan, action, words):
    assert re.sub(r"\s+", " ", words) in _seed_text(plan)


@pytest.mark.parametrize(
    ("plan", "action", "words", "reference", "assumed"),
    [
        (ISERE, "5.3", "10 248 demandes", 10248, True),  # the seed gives no year for the FSL figures
        (ISERE, "5.3", "dont 6 148 pour de l'énergie", 6148, True),
        (ISERE, "5.2", "1 529 ménages", 1529, False),  # « de novembre 2012 à novembre 2013 »
    ],
)
def test_baseline_figures_and_their_year(plan, action, words, reference, assumed):
    (objective,) = _objectives(plan, action, words)
    assert objective["reference"] == reference
    assert bool(objective.get("reference_supposee")) is assumed


def test_rules_tolerances_and_due_dates_of_the_plans_words():
    (referents,) = _objectives(ISERE, "3.3", "(13)")
    assert (referents["regle"], referents["cible"], referents["cible_par_territoire"]) == ("chaque_territoire", 13, 1)
    (comites,) = _objectives(ISERE, "5.4", "4 comités techniques")
    assert (comites["regle"], comites["cible"]) == ("departemental", 4)
    (vingtaine,) = _objectives(SARTHE, "2F", "une vingtaine par an")
    assert (vingtaine["tolerance"], vingtaine["tolerance_libelle"]) == (0.1, "une vingtaine")
    (places,) = [o for o in _objectives(SARTHE, "2D", "de 15 à 20 places") if o.get("indicateur") == "places_maisons_relais_creees"]
    assert (places["cible"], places["tolerance_libelle"]) == (45, "de 15 à 20 places")  # the low bound, 3 × 15
    (residence,) = _objectives(SARTHE, "2D", "(17 places)")
    assert residence["echeance"] == dt.date(2010, 12, 31)  # « en 2010 »
    assert [o["territoire"] for o in _objectives(SARTHE, "2D", "maisons relais") if o.get("indicateur") == "maisons_relais_creees"] == [
        "le-mans-metropole",
        "reste-departement",
    ]


def test_catalogue_size_and_entries():
    assert len(CATALOGUE) == CATALOGUE_SIZE
    for code, entry in CATALOGUE.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", code), code
        assert {"label", "unit", "theme", "better", "granularities", "definition", "source"} <= entry.keys(), code
        assert entry["theme"] in THEMES and entry["better"] in {"lower", "higher", "none"}, code
        assert set(entry["granularities"]) <= GRANULARITIES and entry["granularities"], code
        assert entry["definition"].strip() and str(entry["source"]).strip(), code
        if "numerator" in entry or "denominator" in entry:
            parts = (CATALOGUE[entry["numerator"]], CATALOGUE[entry["denominator"]])
            assert "scale" in entry, code
            assert all(set(entry["granularities"]) <= set(p["granularities"]) for p in parts), code


def test_catalogue_codes_are_unique():
    codes = [e["code"] for e in _load(ROOT / "plans" / "indicateurs.yaml")["indicateurs"]]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize(("plan", "action"), sorted(ACTIONS))
def test_fiche_indicators_exist_and_cover_its_objectives(plan, action):
    listed = ACTIONS[(plan, action)].get("indicateurs") or []
    assert len(listed) == len(set(listed)), "an indicator listed twice"
    assert set(listed) <= CATALOGUE.keys(), set(listed) - CATALOGUE.keys()
    used = {o["indicateur"] for o in ACTIONS[(plan, action)].get("objectifs") or [] if o.get("indicateur")}
    assert used <= set(listed), f"objective indicators missing from the fiche's list: {used - set(listed)}"


@pytest.mark.parametrize(("plan", "action", "position", "objective"), OBJECTIVES, ids=[f"{p}-{a}-{i}" for p, a, i, _ in OBJECTIVES])
def test_objective_is_well_formed(plan, action, position, objective):
    kind = objective["kind"]
    assert kind in KIND_LABELS
    assert objective["label"].strip()
    data = PLANS[plan]
    if objective.get("territoire"):
        assert "regle" not in objective, "a named territory is its own rule"
    else:
        rule = objective.get("regle")
        assert rule in RULES, "every département-wide objective says how a territory reads it"
        if rule == "prorata":
            assert kind in COUNT_KINDS
            assert objective.get("prorata_base", "menages") in {"menages", "population"}
        if rule == "chaque_territoire":
            assert isinstance(objective.get("cible_par_territoire"), int | float)
        if kind not in COUNT_KINDS:
            assert rule == "departemental", "ratios, shares and milestones are not divided"
    if "tolerance" in objective:
        assert 0 <= objective["tolerance"] < 1 and objective.get("tolerance_libelle")
    if "echeance" in objective:
        assert kind == "milestone" and data["debut"] <= objective["echeance"] <= data["fin"]
    if "reference_supposee" in objective:
        assert kind in BASELINE_KINDS and isinstance(objective["reference_supposee"], bool)
        assert objective.get("reference_debut"), "an assumed baseline year is still a year"
    if kind in BASELINE_KINDS and objective.get("reference") is None:
        assert objective.get("reference_debut") and objective.get("reference_fin"), "a measured baseline needs its period"
    if kind not in BASELINE_KINDS and kind != "milestone" and objective.get("cible") is None:
        assert (plan, action, objective["label"]) == (
            ISERE,
            "3.3",
            "Suivre un nombre de situations (X) que le droit commun ne parvient pas à traiter",
        )


# The only objectives without an indicator: qualitative milestones (plan, action, start of the label).
INDICATORLESS_MILESTONES = {
    (ISERE, "1.1", "Disposer d'une feuille de route doctrinale"),
    (ISERE, "1.1", "Faculté de la CCAPEX plénière"),
    (ISERE, "1.2", "Une instance locale par territoire"),
    (ISERE, "1.2", "Modification du règlement de la CCAPEX"),
    (ISERE, "1.2", "évolution de la composition des acteurs"),
    (ISERE, "1.2", "recherche et mise en place de solution"),
    (ISERE, "1.3", "Disposer d'outils permanents informatisés"),
    (ISERE, "1.3", "Mise en place de l'AMO"),
    (ISERE, "1.3", "Production de résultats d'observation"),
    (ISERE, "1.3", "Utilisation par les partenaires du dispositif"),
    (ISERE, "1.4", "Charte complétée"),
    (ISERE, "1.4", "Charte adoptée par le PALHDI"),
    (ISERE, "1.4", "Charte utilisée comme cadre commun"),
    (ISERE, "2.1", "Réalisation des outils d'information"),
    (ISERE, "3.1", "Rédaction, impression et diffusion"),
    (ISERE, "3.2", "Plan d'action (cf. modalité 1 et 2)"),
    (ISERE, "3.2", "Mise en application du process"),
    (ISERE, "4.2", "Intégration du diagnostic social"),
    (ISERE, "4.3", "Chaînage de l'accès aux moyens"),
    (ISERE, "4.3", "Participation des partenaires"),
    (ISERE, "5.1", "Réalisation et organisation de la mise à jour"),
    (ISERE, "5.2", "Utilisation par les partenaires de l’application"),
    (ISERE, "5.4", "profils des participants"),
    (SARTHE, "1C", "Mettre en place un pilotage"),
    (SARTHE, "1C", "Mettre en place des objectifs chiffrés"),
    (SARTHE, "1D", "Évaluer et quantifier"),
    (SARTHE, "1D", "Effectivité des outils d'observation"),
    (SARTHE, "1E", "Adaptation du règlement intérieur du FSL"),
    (SARTHE, "1E", "Adaptation des dispositifs"),
    (SARTHE, "2D", "Création par l'ADGESTI, en 2010"),
    (SARTHE, "2D", "Niveau de formalisation des partenariats"),
    (SARTHE, "2G", "Niveau de formalisation des partenariats locaux"),
    (SARTHE, "3A", "Définition et suivi du contingent"),
    (SARTHE, "3A", "Mise en place de l'ACD"),
    (SARTHE, "3A", "Écriture d'une charte"),
    (SARTHE, "3C", "Élaboration d'une charte"),
    (SARTHE, "3C", "Définir un cadre juridique commun"),
    (SARTHE, "3C", "Étudier l'opportunité"),
    (SARTHE, "3C", "Respect des clauses du glissement"),
    (SARTHE, "3D", "Effectivité de la couverture territoriale"),
    (SARTHE, "4A", "Mise en place effective des instances"),
    (SARTHE, "4A", "répercussions en terme de changement"),
    (SARTHE, "4B", "Données trimestriellement"),
    (SARTHE, "4C", "répercussions en terme de changement"),
}


def test_no_countable_objective_is_left_without_indicator():
    without = [(p, a, o["kind"], o["label"]) for p, a, _, o in OBJECTIVES if not o.get("indicateur")]
    assert all(kind == "milestone" for *_, kind, _ in without), [w for w in without if w[2] != "milestone"]
    found = {
        (p, a, start)
        for p, a, _, label in without
        for (q, b, start) in INDICATORLESS_MILESTONES
        if (p, a) == (q, b) and label.startswith(start)
    }
    assert len(found) == len(without) == len(INDICATORLESS_MILESTONES), sorted(set(without))


def test_every_fiche_is_evaluated():
    # each fiche has at least one catalogue indicator or one objective (milestones included)
    for key, action in ACTIONS.items():
        assert action.get("indicateurs") or action.get("objectifs"), key


def test_every_catalogue_text_fits_its_column():
    """SQLite stores a unit of 44 characters in a String(40); PostgreSQL refuses the whole catalogue."""
    from data_access.catalogue import catalogue_entries

    assert catalogue_entries()  # raises a French UserError naming the entry and the field otherwise


def test_a_text_too_long_for_its_column_is_refused_in_french(tmp_path):
    import pytest as _pytest

    from data_access.catalogue import catalogue_entries
    from data_access.errors import UserError

    path = tmp_path / "indicateurs.yaml"
    path.write_text(
        "indicateurs:\n  - {code: x, label: X, unit: '" + "u" * 41 + "', theme: expulsions, better: none, "
        "granularities: [year], definition: d, source: s}\n",
        encoding="utf-8",
    )
    with _pytest.raises(UserError, match="« x », champ « unit » trop long"):
        catalogue_entries(path)
