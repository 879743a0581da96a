"""Plans as data: ``plans/<code>/plan.yaml`` loaded into plan, axes, actions and objectives.

Loading a plan also loads its département's territories from the shared referential files, so
that objectives can name territories, and the published reference points the plan declares
(``reperes_publies``). Whether the plan is the one a visitor lands on is data too (``defaut``).
Loading the same plan twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, delete, insert, select, true

from data_access.dispositifs import load_dispositifs
from data_access.errors import UserError
from data_access.models import ActionIndicator, Indicator, Objective, Plan, PlanAction, PlanAxis, Territory
from data_access.perimeters import load_perimeters
from data_access.reference import load_published_points
from data_access.seances import load_seances_file
from data_access.settings import ROOT, load_settings
from data_access.status import OBJECTIVE_KINDS, PRORATA_KINDS
from data_access.territories import ReferentielFiles, load_territories
from data_access.vocabulary import ProrataBase, TerritorialRule
from data_access.writes import upsert
from data_access.yaml_files import read_yaml

PLANS_DIR = ROOT / "plans"


def plan_directories() -> list[Path]:
    """Every plan directory shipped in ``plans/``, sorted by code."""
    return sorted(p.parent for p in PLANS_DIR.glob("*/plan.yaml"))


def read_plan(directory: Path) -> dict[str, Any]:
    """The parsed ``plan.yaml`` of ``directory``; UserError when it is missing or malformed."""
    path = directory / "plan.yaml"
    if not path.exists():
        raise UserError(
            f"Aucun fichier plan.yaml dans {directory}. Indiquez un dossier de plans/, par exemple plans/isere-palhdi-2014-2020."
        )
    try:
        plan = read_yaml(path)
    except yaml.YAMLError as error:
        raise UserError(f"{path} n'est pas un YAML valide : {error}") from error
    for key in ("code", "nom", "departement", "debut", "fin", "axes", "referentiel"):
        if key not in plan:
            raise UserError(f"{path} : la rubrique « {key} » manque.")
    return plan


def default_plan(conn: Connection) -> str | None:
    """The code of the plan a visitor lands on: the one loaded with ``defaut: true`` (the first
    by code when several are), else the first plan by code; None when no plan is loaded."""
    flagged = conn.scalar(select(Plan.code).where(Plan.is_default == true()).order_by(Plan.code).limit(1))
    return flagged or conn.scalar(select(Plan.code).order_by(Plan.code).limit(1))


def published_point_files(plan: dict[str, Any]) -> list[tuple[str, str]]:
    """The plan's ``reperes_publies``: (path relative to the shared data folder, batch label) pairs.

    Each entry is a path, or a mapping ``{fichier: <path>, source: <label>}`` when the batch needs
    its own wording; the default label names the département.
    """
    entries = plan.get("reperes_publies") or []
    if not isinstance(entries, list):
        raise UserError(f"Plan {plan['code']} : « reperes_publies » doit être une liste de fichiers (chemins dans les données partagées).")
    default_label = f"Repères publiés, {plan['departement']['nom']}"
    files = []
    for entry in entries:
        if isinstance(entry, str):
            files.append((entry, default_label))
        elif isinstance(entry, dict) and isinstance(entry.get("fichier"), str):
            files.append((entry["fichier"], str(entry.get("source") or default_label)))
        else:
            raise UserError(
                f"Plan {plan['code']} : entrée de « reperes_publies » illisible : {entry!r} (attendu : un chemin ou {{fichier, source}})."
            )
    return files


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def load_plan(conn: Connection, directory: Path, shared_data: Path | None = None) -> dict[str, int]:
    """Load the plan in ``directory`` with its département's territories and its published
    reference points; returns counts.

    The indicator catalogue must be loaded first (``init``). Objectives are replaced by the
    file's, keeping each one's recorded milestone date (``achieved_on``) when the file has none.
    The plan's ``perimetres`` (historic compositions of its groupings) are stored before its
    objectives, whose ``perimetre_au`` names the composition they were set on. Each ``reperes_publies`` file is one reference batch (territory: its ``territoire`` column,
    else the département), replaced when the file changes.
    """
    plan = read_plan(directory)
    shared = shared_data or load_settings().shared_data
    ref = plan["referentiel"]
    dep = plan["departement"]
    communes = load_territories(
        conn,
        ReferentielFiles(shared / ref["communes"], shared / ref["territoires"], shared / ref["menages"]),
        str(dep["code"]),
        dep["nom"],
    )
    code = plan["code"]
    perimeters = load_perimeters(conn, code, plan.get("perimetres"))
    known_indicators = set(conn.scalars(select(Indicator.code)))
    upsert(
        conn,
        Plan,
        [
            dict(
                code=code,
                name=plan["nom"],
                short_name=plan.get("nom_court", plan["nom"]),
                acronym=plan.get("sigle", ""),
                departement_code=str(dep["code"]),
                period_start=_date(plan["debut"]),
                period_end=_date(plan["fin"]),
                axis_kind=plan.get("type_axe", "axe"),
                source=plan.get("source", ""),
                is_default=bool(plan.get("defaut", False)),
                perimeter_code=_perimeter(plan, conn),
            )
        ],
        ["code"],
    )
    axes, actions, links, objectives = [], [], [], []
    for axis_position, axis in enumerate(plan["axes"]):
        axes.append(
            dict(plan_code=code, code=str(axis["code"]), position=axis_position, title=axis["titre"], objective=axis.get("objectif"))
        )
        for action_position, action in enumerate(axis["actions"]):
            action_code = str(action["code"])
            evaluation = action.get("evaluation") or {}
            actions.append(
                dict(
                    plan_code=code,
                    code=action_code,
                    axis_code=str(axis["code"]),
                    position=action_position,
                    title=action["titre"],
                    description=action.get("description"),
                    objective=action.get("objectif"),
                    quantified_objective=action.get("objectif_quantifie"),
                    responsible=action.get("responsable"),
                    partners=action.get("partenaires"),
                    cost=action.get("cout"),
                    evaluation_effectivite=evaluation.get("effectivite"),
                    evaluation_efficacite=evaluation.get("efficacite"),
                    evaluation_impact=evaluation.get("impact"),
                    evaluation_text=evaluation.get("indicateurs"),
                )
            )
            for indicator in action.get("indicateurs") or []:
                _check_indicator(indicator, known_indicators, code, action_code)
                links.append(dict(plan_code=code, action_code=action_code, indicator_code=indicator))
            for position, objective in enumerate(action.get("objectifs") or []):
                objectives.append(_objective_row(plan, action_code, position, objective, known_indicators))

    upsert(conn, PlanAxis, axes, ["plan_code", "code"])
    upsert(conn, PlanAction, actions, ["plan_code", "code"])
    conn.execute(delete(ActionIndicator).where(ActionIndicator.plan_code == code))
    if links:
        conn.execute(insert(ActionIndicator), links)
    recorded_query = select(Objective.action_code, Objective.position, Objective.achieved_on).where(
        Objective.plan_code == code, Objective.achieved_on.is_not(None)
    )
    recorded = {(action, position): date for action, position, date in conn.execute(recorded_query)}
    for row in objectives:
        row["achieved_on"] = row["achieved_on"] or recorded.get((row["action_code"], row["position"]))
    upsert(conn, Objective, objectives, ["plan_code", "action_code", "position"])
    kept = {(o["action_code"], o["position"]) for o in objectives}
    for action_code, position in conn.execute(select(Objective.action_code, Objective.position).where(Objective.plan_code == code)).all():
        if (action_code, position) not in kept:
            conn.execute(
                delete(Objective).where(Objective.plan_code == code, Objective.action_code == action_code, Objective.position == position)
            )
    reperes = sum(
        load_published_points(conn, shared / path, territory=str(dep["code"]), source=label) for path, label in published_point_files(plan)
    )
    if (directory / "seances.yaml").exists():  # example séances shipped with the plan (issue 7)
        load_seances_file(conn, code, directory / "seances.yaml")
    programmes = load_dispositifs(conn, code, directory, {a["code"] for a in actions})
    return {
        "communes": communes,
        "axes": len(axes),
        "actions": len(actions),
        "objectifs": len(objectives),
        "repères publiés": reperes,
        "dispositifs": programmes,
        "communes de périmètres historiques": perimeters,
    }


def _perimeter(plan: dict[str, Any], conn: Connection) -> str | None:
    """The plan's ``perimetre`` (the territory an intercommunal plan covers), checked to be one of
    its département's territories; None when the plan covers its département."""
    code = plan.get("perimetre")
    if code is None:
        return None
    found = conn.scalar(select(Territory.departement_code).where(Territory.code == str(code)))
    if found != str(plan["departement"]["code"]):
        raise UserError(
            f"Plan {plan['code']} : « perimetre: {str(code)[:40]} » n'est pas un territoire du département {plan['departement']['code']}."
        )
    return str(code)


def _check_indicator(indicator: str | None, known: set[str], plan: str, action: str) -> None:
    if indicator is not None and indicator not in known:
        raise UserError(f"Plan {plan}, action {action} : indicateur « {indicator} » absent du catalogue (plans/indicateurs.yaml).")


def _objective_row(plan: dict[str, Any], action_code: str, position: int, objective: dict[str, Any], known: set[str]) -> dict[str, Any]:
    kind = objective["kind"]
    if kind not in OBJECTIVE_KINDS:
        raise UserError(
            f"Plan {plan['code']}, action {action_code} : type d'objectif inconnu « {kind} » (attendu : {', '.join(OBJECTIVE_KINDS)})."
        )
    _check_indicator(objective.get("indicateur"), known, plan["code"], action_code)
    territory = str(objective.get("territoire") or plan["departement"]["code"])
    return dict(
        plan_code=plan["code"],
        action_code=action_code,
        position=position,
        indicator_code=objective.get("indicateur"),
        territory_code=territory,
        period_start=_date(objective.get("debut") or plan["debut"]),
        period_end=_date(objective.get("fin") or plan["fin"]),
        kind=kind,
        target_value=objective.get("cible"),
        baseline_value=objective.get("reference"),
        baseline_start=_date(objective.get("reference_debut")),
        baseline_end=_date(objective.get("reference_fin")),
        label=objective["label"],
        achieved_on=_date(objective.get("atteint_le")),
        territorial_rule=_rule(plan, action_code, kind, objective, territorial=territory != str(plan["departement"]["code"])),
        prorata_base=_choice(objective.get("prorata_base", ProrataBase.MENAGES), ProrataBase, "prorata_base", plan, action_code),
        target_per_territory=objective.get("cible_par_territoire"),
        tolerance=_tolerance(objective.get("tolerance"), plan, action_code),
        tolerance_label=objective.get("tolerance_libelle"),
        due_on=_date(objective.get("echeance")),
        baseline_assumed=bool(objective.get("reference_supposee", False)),
        perimeter_date=_date(objective.get("perimetre_au")),
    )


def _choice(value: object, vocabulary: type[StrEnum], key: str, plan: dict[str, Any], action_code: str) -> str:
    if str(value) not in {member.value for member in vocabulary}:  # type: ignore[attr-defined]
        expected = ", ".join(member.value for member in vocabulary)  # type: ignore[attr-defined]
        raise UserError(f"Plan {plan['code']}, action {action_code} : « {key}: {value} » inconnu (attendu : {expected}).")
    return str(value)


def _rule(plan: dict[str, Any], action_code: str, kind: str, objective: dict[str, Any], *, territorial: bool) -> str:
    """The declared territorial rule; by default a named territory's own, a shared count's pro rata,
    and everything that cannot be divided (ratios, shares, milestones) the département's."""
    if territorial:
        return TerritorialRule.TERRITORIAL
    if "regle" in objective:
        rule = _choice(objective["regle"], TerritorialRule, "regle", plan, action_code)
        if rule == TerritorialRule.CHAQUE_TERRITOIRE and objective.get("cible_par_territoire") is None:
            raise UserError(f"Plan {plan['code']}, action {action_code} : « regle: chaque_territoire » demande « cible_par_territoire ».")
        return rule
    return TerritorialRule.PRORATA if kind in PRORATA_KINDS else TerritorialRule.DEPARTEMENTAL


def _tolerance(value: object, plan: dict[str, Any], action_code: str) -> float | None:
    if value is None:
        return None
    if not isinstance(value, int | float) or not 0 <= float(value) < 1:
        raise UserError(
            f"Plan {plan['code']}, action {action_code} : « tolerance » attend une part entre 0 et 1 (0.1 pour ±10 %), reçu {value!r}."
        )
    return float(value)
