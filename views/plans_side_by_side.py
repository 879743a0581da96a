"""Every plan's objectives for one territory, side by side (issue 20): the PALHDI and the PLH of
Grenoble-Alpes-Métropole on the Métro's page.

A plan's objective applies to a territory when it names that territory or a grouping the
territory belongs to (its EPCI, its département…), in the plan's département: the PALHDI's
département-wide objectives apply to the Métro (read by their territorial rule), the PLH's EPCI
objectives to the Métro and its communes. Each plan is evaluated for the view's year brought
within the plan's own period (the Métro's page for 2020 reads the PLH 2010–2015 in 2015), and the
table says which year it read.
"""

from __future__ import annotations

import pandas as pd

from views.common import is_demo
from views.loader import Loader
from views.model import Table
from views.objective_tables import objective_table
from views.params import ViewParams
from views.wording import STATUSES, status_with_symbol

COLUMNS = ["Plan", "Statut", "Fiche", "Objectif (termes du plan)", "Valeur / cible", "Période évaluée", "Lecture territoriale"]


def plan_label(plan: pd.Series) -> str:
    """« PALHDI 2014–2020 », « PLH 2010–2015 »: a plan's acronym and years."""
    return f"{plan['acronym'] or plan['short_name']} {plan['period_start'].year}–{plan['period_end'].year}"


def evaluated_year(plan: pd.Series, year: int) -> int:
    """``year`` brought within the plan's period (its first or last year outside it)."""
    return min(max(year, plan["period_start"].year), plan["period_end"].year)


def applying_objectives(params: ViewParams, loader: Loader, year: int) -> pd.DataFrame:
    """COLUMNS: the objectives of every plan of the view's département that apply to its territory
    (see the module docstring) evaluated for ``year`` (within each plan's period), the view's plan
    first, then the others by code; empty when only the view's plan has any."""
    groups = set(loader.territory_groups(params.territory))
    plans = loader.plans()
    plans = plans[plans["departement_code"].astype(str) == params.departement]
    ordered = sorted(plans.to_dict("records"), key=lambda plan: (plan["code"] != params.plan, plan["code"]))
    parts, demo = [], False
    for plan in ordered:
        code = str(plan["code"])
        own = loader.plan_objectives(code).set_index("id")["territory_code"]
        table = loader.objective_status_table(code, evaluated_year(pd.Series(plan), year), params.territory)
        table = table[[own.get(int(i)) in groups for i in table["objective_id"]]]
        if table.empty:
            continue
        demo = demo or is_demo(table)
        shown = objective_table(table, territorial=True)
        shown.insert(0, "Plan", plan_label(pd.Series(plan)))
        parts.append(shown[COLUMNS])
    if len(parts) < 2:
        return pd.DataFrame(columns=COLUMNS)
    frame = pd.concat(parts, ignore_index=True)
    frame.attrs["demo"] = demo
    return frame


def plan_summaries(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per plan of :func:`applying_objectives`: Plan, Année évaluée, Objectifs, then the
    number of its objectives per status (« ✔ atteint », …, « ○ à fixer »), the statuses present
    in any plan, in status order."""
    statuses = [status_with_symbol(status) for status in STATUSES if status_with_symbol(status) in set(frame["Statut"])]
    rows = []
    for plan, own in frame.groupby("Plan", sort=False):
        counts = own["Statut"].value_counts()
        years = ", ".join(dict.fromkeys(own["Période évaluée"]))
        rows.append({"Plan": plan, "Année évaluée": years, "Objectifs": len(own), **{s: int(counts.get(s, 0)) for s in statuses}})
    return pd.DataFrame(rows)


def side_by_side_tables(params: ViewParams, loader: Loader, year: int) -> tuple[Table, Table] | None:
    """(summary, detail) of « Objectifs de tous les plans pour <territoire> » in ``year``: the
    plans side by side in counts per status, and every objective of each; None at the département
    level or when no other plan has an objective there."""
    if params.is_departement:
        return None
    frame = applying_objectives(params, loader, year)
    if frame.empty:
        return None
    plans = ", ".join(dict.fromkeys(frame["Plan"]))
    demo = bool(frame.attrs.get("demo", False))
    summary = Table(
        f"tous-les-plans-{params.plan}-{year}",
        f"Tous les plans pour {params.territory_name} : {plans}",
        plan_summaries(frame),
        caption="Chaque plan qui fixe des objectifs pour ce territoire ou pour un territoire qui le contient (EPCI, département), "
        "évalué pour une année de sa propre période ; « ○ à fixer » : le plan demande de se donner un objectif chiffré qu'il ne "
        "fixe pas encore. Le détail de chaque objectif est en fin de page « Plan d'action ».",
        demo=demo,
        full=True,
    )
    detail = Table(
        f"tous-les-plans-detail-{params.plan}-{year}",
        f"Objectifs de tous les plans pour {params.territory_name}",
        frame,
        caption="Les objectifs de chaque plan, lus pour ce territoire selon leur règle territoriale (colonne « Lecture territoriale »).",
        demo=demo,
        status_columns=("Statut",),
        full=True,
    )
    return summary, detail
