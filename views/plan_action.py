"""Plan d'action : the plan view — its scoreboard, the matrix of its objectives × plan years, then
chantiers / orientations → fiches-action, each with its objectives, follow-up and indicators.

La version écran du bilan annuel d'activité du plan, for the département or the chosen territory
(each objective read by its territorial rule). Also the plan's status summary (key figures,
status, filters) that the Plan and the Données et méthodes slides share.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from data_access.french import MISSING, fr_measure, fr_number
from data_access.periods import Period
from data_access.vocabulary import PAGE_INFO, Granularity, Page
from views import common, followup
from views.dispositifs import fiche_programme_tables
from views.loader import Loader
from views.model import Block, Group, KeyFigure, Table, Text, View
from views.objective_tables import objective_words, plan_matrix, reference_text, status_counts, summary_status, trajectory, value_target
from views.params import ViewParams
from views.plans_side_by_side import side_by_side_tables
from views.scoreboard import scoreboard
from views.wording import STATUS_LEGEND, STATUSES, escape_markdown, markdown_paragraphs, status_with_symbol

TITLE = PAGE_INFO[Page.PLAN_ACTION].page_title
TREND_YEARS = 5  # the sparklines run from year − 5 to year
TEXTS = (("Description", "description"), ("Objectif", "objective"), ("Objectif quantifié", "quantified_objective"))
EVALUATIONS = (("Effectivité", "evaluation_effectivite"), ("Efficacité", "evaluation_efficacite"), ("Impact", "evaluation_impact"))
SMALL_PRINT = (("Responsable", "responsible"), ("Partenaires", "partners"), ("Coût indicatif", "cost"))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


@dataclass(frozen=True)
class PlanSummary:
    """What frames a plan slide: the objectives' statuses in ``year`` for the view's territory."""

    year: int
    table: pd.DataFrame  # objective_status_table
    key_figures: tuple[KeyFigure, ...]
    status: str | None
    filters: str
    source: str
    demo: bool


def plan_summary(params: ViewParams, loader: Loader, table: pd.DataFrame | None = None) -> PlanSummary:
    """The plan's objectives evaluated for ``fin`` (pro rata for a territory): counts per status,
    « Objectifs 2024 : 10 sur 21 remplis », the filters in words and the source line.

    ``table`` (a part of the status table: chosen chantiers and statuses) replaces the whole plan."""
    year = params.last_year
    if table is None:
        table = loader.objective_status_table(params.plan, year, None if params.is_departement else params.territory)
    statuses = [str(status) for status in table["status"]]
    indicators = [str(code) for code in loader.plan_objectives(params.plan)["indicator_code"].dropna().unique()]
    return PlanSummary(
        year=year,
        table=table,
        key_figures=status_counts(statuses),
        status=summary_status(statuses, year),
        filters=f"{params.plan_name} · {params.territory_name} · objectifs évalués pour {year}",
        source=common.source_line(loader, indicators, params.departement),
        demo=common.is_demo(table),
    )


# --- the page's widgets ---------------------------------------------------------------------------------


def axis_word(loader: Loader, plan: str) -> str:
    """« Chantier » or « Orientation »: what the plan calls its axes (``type_axe`` of its plan.yaml)."""
    plans = loader.plans().set_index("code")
    kind = plans.at[plan, "axis_kind"] if plan in plans.index else None
    return str(kind or "axe").capitalize()


def axis_choices(loader: Loader, plan: str) -> dict[str, str]:
    """The plan's axes in order: code → « 1. Prévenir les expulsions »."""
    structure = loader.plan_structure(plan)
    axes = structure.drop_duplicates("axis_code")
    return {str(code): f"{code}. {title}" for code, title in zip(axes["axis_code"], axes["axis_title"], strict=True)}


def chosen_axes(params: ViewParams, choices: Mapping[str, str]) -> list[str]:
    """The URL's axes that the plan has, in the plan's order; every axis when none is valid."""
    return [code for code in choices if code in params.axes] or list(choices)


def chosen_statuses(params: ViewParams) -> list[str]:
    """The URL's status words, in status order; every status when none is valid."""
    return [status for status in STATUSES if status in params.statuses] or list(STATUSES)


# --- the view -------------------------------------------------------------------------------------------


def build(params: ViewParams, loader: Loader) -> View:
    """The plan view: scoreboard, matrix objectives × plan years, then each chantier (orientation)
    and its fiches-action with their objectives, follow-up, indicators and texts."""
    structure = loader.plan_structure(params.plan)
    choices = axis_choices(loader, params.plan)
    word = axis_word(loader, params.plan)
    axes, statuses = chosen_axes(params, choices), chosen_statuses(params)
    states = followup.chosen_states(params)
    notices = tuple(
        [f"Code « {code[:40]} » absent des {word.lower()}s du plan : ignoré." for code in params.axes if code not in choices]
        + [f"Statut « {status[:40]} » inconnu : ignoré." for status in params.statuses if status not in STATUSES]
        + followup.state_notices(params)
    )
    filters = _filters(params, word, axes, statuses, states, choices)
    if structure.empty:
        return View(Page.PLAN_ACTION, TITLE, filters, notices=notices, empty="les chantiers et fiches-action de ce plan")
    year = params.last_year
    territory = None if params.is_departement else params.territory
    table = loader.objective_status_table(params.plan, year, territory)
    progress, history = loader.action_progress(params.plan), loader.progress_history(params.plan)
    fiche_states = followup.states_in(progress, structure["code"].astype(str).tolist(), year)
    shown_actions = [
        str(code)
        for code, axis in zip(structure["code"], structure["axis_code"], strict=True)
        if str(axis) in axes and fiche_states[str(code)] in states
    ]
    shown_objectives = table[table["action_code"].isin(shown_actions) & table["status"].isin(statuses)]
    summary = plan_summary(params, loader, shown_objectives)
    evaluated = loader.plan_evaluation(params.plan, territory)
    evaluation = evaluated[evaluated["objective_id"].isin(shown_objectives["objective_id"])]
    evaluation.attrs = dict(evaluated.attrs)
    links = loader.action_indicators(params.plan)
    codes = tuple(sorted(set(links["indicator_code"])))
    series = (
        loader.indicator_series(codes, (params.territory,), Period.years(year - TREND_YEARS, year), Granularity.YEAR.value)
        if codes
        else pd.DataFrame()
    )
    labels = common.labels(loader)
    programmes = fiche_programme_tables(loader, params.plan)
    where = f" — {params.territory_name}" if territory else ""
    blocks: list[Block] = [
        scoreboard(
            params,
            [str(status) for status in table["status"]],
            followup.fiche_counts(fiche_states.values(), params),
            year,
        ),
        Table(
            f"plan-annee-par-annee-{params.plan}",
            f"Le plan année par année ({params.plan_years_label}){where}",
            plan_matrix(evaluation),
            caption=f"Chaque année du plan : statut et valeur mesurée ({STATUS_LEGEND}). Bilan du plan : les objectifs annuels "
            "année par année, les autres sur toute la période (statut de la dernière année).",
            demo=common.is_demo(evaluation),
            status_columns=(*(str(y) for y in evaluated.attrs.get("years", [])), "Bilan du plan"),
            full=True,
        ),
    ]
    side_by_side = side_by_side_tables(params, loader, year)
    if side_by_side is not None:
        blocks.append(side_by_side[0])
    cells = dict(zip(evaluated["objective_id"], evaluated["years"], strict=True))
    for axis in axes:
        actions = structure[(structure["axis_code"].astype(str) == axis) & structure["code"].astype(str).isin(shown_actions)]
        heading, objective = choices[axis], _text(structure.loc[structure["axis_code"].astype(str) == axis, "axis_objective"].iloc[0])
        shown = 0
        for action in actions.to_dict("records"):
            code = str(action["code"])
            own = table[table["action_code"] == code]
            if not own.empty and not own["status"].isin(statuses).any():
                continue
            blocks.append(
                Group(
                    _action_title(action, own, fiche_states[code]),
                    _action_blocks(
                        action,
                        own[own["status"].isin(statuses)],
                        cells,
                        links.loc[links["action_code"] == code, "indicator_code"].tolist(),
                        series,
                        labels,
                        year,
                        followup.record_blocks(code, progress, history, year),
                        programmes.get(code, ()),
                        territorial=territory is not None,
                    ),
                    heading=heading if shown == 0 else None,
                    heading_caption=objective if shown == 0 else None,
                    key=code,
                )
            )
            shown += 1
        if shown == 0:
            body = "\n\n".join(filter(None, [objective, "Aucune fiche-action aux statuts et états choisis."]))
            blocks.append(Text(body, heading=heading, caption=True))
    if side_by_side is not None:
        blocks.append(side_by_side[1])
    return View(
        Page.PLAN_ACTION,
        TITLE,
        filters,
        tuple(blocks),
        key_figures=summary.key_figures,
        status=summary.status,
        source=summary.source,
        demo=common.is_demo(series, table),
        notices=notices,
    )


def _filters(params: ViewParams, word: str, axes: list[str], statuses: list[str], states: list[str], choices: Mapping[str, str]) -> str:
    """« Isère — PALHDI 2014–2020 · Isère · objectifs évalués pour 2024 · chantiers 1, 3 · statuts : atteint »."""
    parts = [f"{params.plan_name} · {params.territory_name} · objectifs évalués pour {params.last_year}"]
    if len(axes) < len(choices):
        parts.append(f"{word.lower()}{'s' if len(axes) > 1 else ''} {', '.join(axes)}")
    if len(statuses) < len(STATUSES):
        parts.append(f"statut{'s' if len(statuses) > 1 else ''} : {', '.join(statuses)}")
    if len(states) < len(followup.STATES):
        parts.append(f"fiches : {', '.join(states)}")
    return " · ".join(parts)


def _action_title(action: Mapping[Hashable, Any], own: pd.DataFrame, state: str) -> str:
    """« **1.1** — Rénover la CCAPEX plénière · engagée · 1 atteint, 2 en retard »: its follow-up
    state and its objectives' statuses in words (the state of the plan at a glance when folded)."""
    counts = own["status"].value_counts()
    statuses = ", ".join(f"{fr_number(int(counts[s]))} {s}" for s in STATUSES if s in counts.index)
    parts = [f"**{escape_markdown(str(action['code']))}** — {escape_markdown(str(action['title']))}", state]
    if statuses:
        parts.append(statuses)
    return " · ".join(parts)


def _action_blocks(
    action: Mapping[Hashable, Any],
    own: pd.DataFrame,
    cells: Mapping[int, Mapping[int, tuple[str, object]]],
    codes: list[str],
    series: pd.DataFrame,
    labels: Mapping[str, str],
    year: int,
    record: list[Block],
    programmes: tuple[Table, ...],
    *,
    territorial: bool,
) -> tuple[Block, ...]:
    """A fiche-action: its objectives (status first), its follow-up record and history, the
    results of the programmes serving it, its indicators with their latest values, then the plan's
    texts (paragraphs kept)."""
    code = str(action["code"])
    blocks: list[Block] = []
    if not own.empty:
        blocks.append(
            Table(
                f"objectifs-fiche-{code}",
                None,
                fiche_objectives(own, cells, territorial=territorial),
                demo=False,  # the view's notice says it once
                status_columns=("Statut",),
                downloads=False,
                full=True,
            )
        )
    blocks.extend(record)
    blocks.extend(programmes)
    if codes:
        blocks.append(
            Table(
                f"indicateurs-{code}",
                None,
                indicator_trend_table(codes, series, labels, year),
                demo=False,
                sparkline_column="Évolution",
                sparkline_label=f"{year - TREND_YEARS}–{year}",
                downloads=False,
            )
        )
    texts = [markdown_paragraphs(text, label) for label, column in TEXTS if (text := _text(action[column]))]
    texts += [
        markdown_paragraphs(text, f"Indicateur d'{label.lower()}") for label, column in EVALUATIONS if (text := _text(action[column]))
    ]
    if evaluation := _text(action["evaluation_text"]):
        texts.append(markdown_paragraphs(evaluation, "Indicateurs d'évaluation"))
    small = [markdown_paragraphs(f"{label} (selon le plan) : {text}") for label, column in SMALL_PRINT if (text := _text(action[column]))]
    if texts:
        blocks.append(Text("\n\n".join(texts)))
    if small:
        blocks.append(Text("\n\n".join(small), caption=True))
    return tuple(blocks)


def fiche_objectives(
    own: pd.DataFrame, cells: Mapping[int, Mapping[int, tuple[str, object]]], *, territorial: bool = False
) -> pd.DataFrame:
    """A fiche's objectives: Statut, Objectif, Valeur / cible, Référence, [Lecture territoriale],
    Trajectoire (its values over the plan years as a text sparkline, « ▂▅█▃ »)."""
    columns: dict[str, object] = {
        "Statut": own["status"].map(status_with_symbol),
        "Objectif (termes du plan)": objective_words(own),
        "Valeur / cible": [value_target(row) for row in own.to_dict("records")],
        "Référence": [reference_text(v, label) for v, label in zip(own["baseline"], own["baseline_label"], strict=True)],
    }
    if territorial:
        columns["Lecture territoriale"] = [label or "objectif départemental" for label in own["rule_label"]]
    columns["Trajectoire sur le plan"] = [trajectory(cells.get(int(i), {})) for i in own["objective_id"]]
    return pd.DataFrame(columns)


def indicator_trend_table(codes: Sequence[str], series: pd.DataFrame, labels: Mapping[str, str], year: int) -> pd.DataFrame:
    """One row per indicator: its label, its value in ``year`` in French print, and its complete
    yearly values in order (drawn as a sparkline by the table)."""
    rows = []
    for code in codes:
        own = series[series["indicator_code"] == code] if not series.empty else series
        values = own[own["complete"].astype(bool)].sort_values("period_start") if not own.empty else own
        current = values.loc[[d.year == year for d in values["period_start"]], "value"] if not values.empty else pd.Series(dtype=float)
        history = values["value"].astype(float).tolist() if not values.empty else []
        rows.append((labels.get(code, code), fr_measure(current.iloc[-1]) if not current.empty else MISSING, history))
    return pd.DataFrame(rows, columns=["Indicateur", f"Valeur {year}", "Évolution"])
