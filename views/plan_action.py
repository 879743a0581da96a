"""Plan d'action : chantiers / orientations → fiches-action, avec objectifs, indicateurs et statuts.

La version écran du bilan annuel d'activité du plan. Also the plan's status summary (key figures,
status, filters) that the Plan and the Données et méthodes slides share, and the pure pieces the
objective tables and badges are made of (used by the Vue d'ensemble too).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from data_access.french import MISSING, fr_date, fr_measure, fr_number
from data_access.periods import Period
from data_access.status import KIND_LABELS
from data_access.vocabulary import PAGE_INFO, STATUS_SYMBOLS, Granularity, ObjectiveStatus, Page
from views import common
from views.loader import Loader
from views.model import Block, Group, KeyFigure, Table, Text, View
from views.params import ViewParams
from views.wording import STATUSES, escape_markdown, markdown_paragraphs, status_badge, status_with_symbol

TITLE = PAGE_INFO[Page.PLAN_ACTION].page_title
TREND_YEARS = 5  # the sparklines run from year − 5 to year
TEXTS = (("Description", "description"), ("Objectif", "objective"), ("Objectif quantifié", "quantified_objective"))
EVALUATIONS = (("Effectivité", "evaluation_effectivite"), ("Efficacité", "evaluation_efficacite"), ("Impact", "evaluation_impact"))
SMALL_PRINT = (("Responsable", "responsible"), ("Partenaires", "partners"), ("Coût indicatif", "cost"))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


# --- the objective tables -------------------------------------------------------------------------------


def objective_table(table: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    """The status table (``objective_status_table``) in readable French columns, values printed as on screen."""
    return pd.DataFrame(
        {
            "Action": table["action_code"],
            "Objectif (termes du plan)": table["label"],
            "Nature": table["kind"].map(KIND_LABELS),
            "Indicateur": table["indicator_code"].map(lambda c: labels.get(c, "—") if isinstance(c, str) else "— (non mesuré)"),
            "Période évaluée": table["period_label"],
            "Cible": [
                target_text(target, rule, tolerance)
                for target, rule, tolerance in zip(table["target"], table["rule_label"], table["tolerance_label"], strict=True)
            ],
            "Référence": [
                fr_measure(value) + (f" ({label})" if label else "") if label or value is not None else MISSING
                for value, label in zip(table["baseline"], table["baseline_label"], strict=True)
            ],
            "Valeur": table["value"].map(fr_measure),
            "Statut": table["status"].map(status_with_symbol),
        }
    )


def target_text(target: object, rule_label: str, tolerance_label: str) -> str:
    """« 40 », « 1 (objectif de chaque territoire) », « 20 (une vingtaine) », « 3,1 (au prorata) »."""
    notes = [note for note in (tolerance_label, rule_label) if note]
    return fr_measure(target) + (f" ({', '.join(notes)})" if notes else "")


def evaluation_table(evaluation: pd.DataFrame) -> pd.DataFrame:
    """The plan evaluated year by year (``data_access.evaluation.plan_evaluation``) in French columns:
    each plan year « ✔ 46 », then the verdict over the plan « ✔ atteint 5 années sur 7 »."""
    years: list[int] = evaluation.attrs.get("years", [])
    columns: dict[str, object] = {
        "Fiche": evaluation["action_code"],
        "Objectif (termes du plan)": evaluation["label"],
        "Cible": [
            target_text(target, rule, tolerance)
            for target, rule, tolerance in zip(evaluation["target"], evaluation["rule_label"], evaluation["tolerance_label"], strict=True)
        ],
        "Référence": [
            fr_measure(value) + (f" ({label})" if label else "") if label else MISSING
            for value, label in zip(evaluation["baseline"], evaluation["baseline_label"], strict=True)
        ],
    }
    for year in years:
        columns[str(year)] = [_year_cell(*cells[year]) if year in cells else MISSING for cells in evaluation["years"]]
    columns["Bilan du plan"] = [
        f"{status_with_symbol(verdict).split(' ')[0]} {text}"
        for verdict, text in zip(evaluation["verdict"], evaluation["verdict_text"], strict=True)
    ]
    return pd.DataFrame(columns)


def _year_cell(status: str, value: object) -> str:
    symbol = status_with_symbol(status).split(" ")[0]
    measured = fr_measure(value)
    return f"{symbol} {measured}" if measured != MISSING else f"{symbol} {status}"


def status_counts(statuses: Sequence[str]) -> tuple[KeyFigure, ...]:
    """Key figures: the number of objectives per status, in status order (only the statuses present)."""
    counts = pd.Series(list(statuses), dtype=object).value_counts()
    return tuple(
        KeyFigure(f"Objectifs « {status} »", fr_number(int(counts[status])), status=status) for status in STATUSES if status in counts.index
    )


def summary_status(statuses: Sequence[str], year: int) -> str | None:
    """« Objectifs 2024 : 10 sur 21 remplis » (None without objectives)."""
    if not len(statuses):
        return None
    reached = sum(1 for status in statuses if status == ObjectiveStatus.ATTEINT)
    return f"Objectifs {year} : {fr_number(reached)} sur {fr_number(len(statuses))} remplis"


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
    """The plan's chantiers (orientations) and fiches-action, each with its texts, objectives and indicators."""
    structure = loader.plan_structure(params.plan)
    choices = axis_choices(loader, params.plan)
    word = axis_word(loader, params.plan)
    axes, statuses = chosen_axes(params, choices), chosen_statuses(params)
    notices = tuple(
        [f"Code « {code[:40]} » absent des {word.lower()}s du plan : ignoré." for code in params.axes if code not in choices]
        + [f"Statut « {status[:40]} » inconnu : ignoré." for status in params.statuses if status not in STATUSES]
    )
    filters = _filters(params, word, axes, statuses, choices)
    if structure.empty:
        return View(Page.PLAN_ACTION, TITLE, filters, notices=notices, empty="les chantiers et fiches-action de ce plan")
    year = params.last_year
    table = loader.objective_status_table(params.plan, year, None if params.is_departement else params.territory)
    in_axes = table["action_code"].isin(structure.loc[structure["axis_code"].astype(str).isin(axes), "code"])
    shown_objectives = table[in_axes & table["status"].isin(statuses)]
    summary = plan_summary(params, loader, shown_objectives)
    links = loader.action_indicators(params.plan)
    codes = tuple(sorted(set(links["indicator_code"])))
    period = Period.years(year - TREND_YEARS, year)
    series = loader.indicator_series(codes, (params.territory,), period, Granularity.YEAR.value) if codes else pd.DataFrame()
    labels = common.labels(loader)
    territory = f" — {params.territory_name}" if not params.is_departement else ""
    evaluated = loader.plan_evaluation(params.plan, None if params.is_departement else params.territory)
    evaluation = evaluated[evaluated["objective_id"].isin(shown_objectives["objective_id"])]
    evaluation.attrs = dict(evaluated.attrs)
    blocks: list[Block] = [
        Group(
            f"Évaluation sur la durée du plan ({params.plan_years_label}){territory}",
            (
                Table(
                    f"evaluation-{params.plan}",
                    None,
                    evaluation_table(evaluation),
                    caption="Chaque année du plan : statut et valeur mesurée ; bilan : les objectifs annuels année par année, "
                    "les autres sur toute la période (statut de la dernière année).",
                    demo=common.is_demo(evaluation),
                ),
            ),
        ),
        Group(
            f"Tableau des objectifs : statut {year}{common.plan_mark(params, year)}{territory}",
            (
                Table(
                    f"objectifs-{params.plan}-{year}",
                    None,
                    objective_table(shown_objectives, labels),
                    demo=common.is_demo(shown_objectives),
                    status_column="Statut",
                ),
            ),
        ),
    ]
    for axis in axes:
        actions = structure[structure["axis_code"].astype(str) == axis]
        heading, objective = choices[axis], _text(actions["axis_objective"].iloc[0])
        shown = 0
        for action in actions.to_dict("records"):
            own = table[table["action_code"] == action["code"]]
            if not own.empty and not own["status"].isin(statuses).any():
                continue
            action_codes = links.loc[links["action_code"] == action["code"], "indicator_code"].tolist()
            blocks.append(
                Group(
                    _action_title(action, own),
                    _action_blocks(action, own, action_codes, series, labels, year),
                    heading=heading if shown == 0 else None,
                    heading_caption=objective if shown == 0 else None,
                )
            )
            shown += 1
        if shown == 0:
            body = "\n\n".join(filter(None, [objective, "Aucune fiche-action avec un objectif aux statuts choisis."]))
            blocks.append(Text(body, heading=heading, caption=True))
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


def _filters(params: ViewParams, word: str, axes: list[str], statuses: list[str], choices: Mapping[str, str]) -> str:
    """« Isère — PALHDI 2014–2020 · Isère · objectifs évalués pour 2024 · chantiers 1, 3 · statuts : atteint »."""
    parts = [f"{params.plan_name} · {params.territory_name} · objectifs évalués pour {params.last_year}"]
    if len(axes) < len(choices):
        parts.append(f"{word.lower()}{'s' if len(axes) > 1 else ''} {', '.join(axes)}")
    if len(statuses) < len(STATUSES):
        parts.append(f"statut{'s' if len(statuses) > 1 else ''} : {', '.join(statuses)}")
    return " · ".join(parts)


def _action_title(action: Mapping[Hashable, Any], own: pd.DataFrame) -> str:
    """« **1.1** — Rénover la CCAPEX plénière ✔ ✖ » (the symbols of its objectives' statuses)."""
    symbols = " ".join(STATUS_SYMBOLS[ObjectiveStatus(s)] for s in own["status"] if s in STATUSES)
    return f"**{escape_markdown(str(action['code']))}** — {escape_markdown(str(action['title']))} {symbols}".rstrip()


def _action_blocks(
    action: Mapping[Hashable, Any], own: pd.DataFrame, codes: list[str], series: pd.DataFrame, labels: Mapping[str, str], year: int
) -> tuple[Block, ...]:
    """A fiche-action's texts, its small print, its objectives' lines and its indicators' table."""
    texts = [markdown_paragraphs(text, label) for label, column in TEXTS if (text := _text(action[column]))]
    texts += [
        markdown_paragraphs(text, f"Indicateur d'{label.lower()}") for label, column in EVALUATIONS if (text := _text(action[column]))
    ]
    if evaluation := _text(action["evaluation_text"]):
        texts.append(markdown_paragraphs(evaluation, "Indicateurs d'évaluation"))
    small = [markdown_paragraphs(f"{label} : {text}") for label, column in SMALL_PRINT if (text := _text(action[column]))]
    lines = [_objective_line(objective, year) for objective in own.to_dict("records")]
    blocks: list[Block] = []
    if texts:
        blocks.append(Text("\n\n".join(texts)))
    if small:
        blocks.append(Text("\n\n".join(small), caption=True))
    if lines:
        blocks.append(Text("\n\n".join(lines)))
    if codes:
        # one table per fiche, its sparklines drawn by the table itself: 25 Plotly charts here
        # made the page too slow to rerun at once (see benchmarks/)
        blocks.append(
            Table(
                f"indicateurs-{action['code']}",
                None,
                indicator_trend_table(codes, series, labels, year),
                # no badge in each fiche: the view's notice says it once (and these tables have no downloads)
                demo=False,
                sparkline_column="Évolution",
                sparkline_label=f"{year - TREND_YEARS}–{year}",
                downloads=False,
            )
        )
    return tuple(blocks)


def _objective_line(objective: Mapping[Hashable, Any], year: int) -> str:
    """« :green-badge[✔ atteint] 40 situations d'insalubrité par an · valeur 2024 : 43 »."""
    achieved = objective["achieved_on"]
    date = f" — réalisé le {fr_date(achieved)}" if achieved is not None and not pd.isna(achieved) else ""  # type: ignore[arg-type,call-overload]
    label = escape_markdown(str(objective["label"]))
    return f"{status_badge(str(objective['status']))} {label} · valeur {year} : {fr_measure(objective['value'])}{date}"


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
