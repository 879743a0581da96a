"""The tables of the annual report (bilan annuel) of a plan for one year, built once from a
:class:`~views.loader.Loader` and rendered by ``reporting.bilan`` (workbook, deck).

« Fiches-action » (every fiche of the plan, with or without quantified objectives: its objective in
the plan's words, pilote / partenaires / moyens from the year's follow-up record, else from the
plan's « responsable / partenaires / coût », and that record's état, réalisations and commentaire),
« Objectifs » (every objective with its reference, value / target and status for the year, by
chantier/orientation and fiche-action), « Évaluation du plan » (each objective's reference, its
status and value each plan year, its verdict over the plan), « Indicateurs » (each fiche-action's indicators for the département, the year before
and the year) and « Territoires » (key indicators per territoire, with their rates per 1 000 ménages).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data_access.aggregation import SERIES_COLUMNS
from data_access.errors import UserError
from data_access.french import MISSING, fr_number
from data_access.periods import Period
from data_access.vocabulary import PROGRESS_NOT_RECORDED
from views import secret
from views.bilan_synthesis import synthesis_sheet
from views.bilan_territories import TERRITORY_INDICATORS, territorial_objectives_sheet, territories_sheet
from views.dispositifs import programme_sheet
from views.loader import Loader
from views.objective_tables import objective_words, plan_matrix, reference_text, value_target
from views.params import plan_home

__all__ = ["TERRITORY_INDICATORS", "bilan_tables", "outside_plan"]

FIRST_YEAR = 2000
# the plan's own evaluation indicators of each fiche, in its words (their values: « Indicateurs »)
EVALUATION_HEADERS = {
    "Indicateurs d'effectivité": "evaluation_effectivite",
    "Indicateurs d'efficacité": "evaluation_efficacite",
    "Indicateurs d'impact": "evaluation_impact",
}


def plan_row(loader: Loader, plan: str, year: int) -> pd.Series:
    known = loader.plans().set_index("code")
    if plan not in known.index:
        raise UserError(f"Plan « {plan} » inconnu. Plans chargés : {', '.join(known.index) or 'aucun'}.")
    if not FIRST_YEAR <= year <= dt.date.today().year:
        raise UserError(f"Année {year} invalide : une année entre {FIRST_YEAR} et {dt.date.today().year} est attendue.")
    return known.loc[str(plan)]  # type: ignore[return-value]


def bilan_home(loader: Loader, row: pd.Series) -> tuple[str, str]:
    """(level, territory) whose values the bilan's indicators and thematic views show: an
    intercommunal plan's perimeter (the PLH: Grenoble-Alpes-Métropole), else its département,
    where the plan's pages open (:func:`views.params.plan_home`)."""
    return plan_home(row["perimeter_code"], str(row["departement_code"]), loader)


def home_words(loader: Loader, row: pd.Series, home: str) -> str:
    """Which territory ``home`` (:func:`bilan_home`) is, as the slides say it: « valeur du
    département », or « valeur de Grenoble-Alpes-Métropole (périmètre du plan) »."""
    return (
        "valeur du département" if home == str(row["departement_code"]) else f"valeur de {loader.territory_name(home)} (périmètre du plan)"
    )


def plan_years(row: pd.Series) -> tuple[int, int]:
    """(first, last) calendar year of the plan, the last one capped at the current year."""
    first = pd.Timestamp(row["period_start"]).year
    return first, min(pd.Timestamp(row["period_end"]).year, dt.date.today().year)


def bilan_year(loader: Loader, plan: str, year: int | None) -> int:
    """The year whose objectives, indicators and territories the bilan shows: ``year``, or for the
    whole plan (``year`` None) the plan's last year (this year at the latest)."""
    if year is not None:
        return year
    known = loader.plans().set_index("code")
    if plan not in known.index:
        raise UserError(f"Plan « {plan} » inconnu. Plans chargés : {', '.join(known.index) or 'aucun'}.")
    return plan_years(known.loc[plan])[1]  # type: ignore[arg-type]


def axis_word(row: pd.Series) -> str:
    return str(row["axis_kind"] or "axe").capitalize()


def objectives_sheet(loader: Loader, plan: str, year: int) -> pd.DataFrame:
    """Every objective of ``plan`` with its status for ``year``, its chantier/orientation and fiche-action, French headers."""
    row = plan_row(loader, plan, year)
    axis = axis_word(row)
    structure = loader.plan_structure(plan)[["axis_code", "axis_title", "code", "title"]]
    table = loader.objective_status_table(plan, year)
    labels = loader.indicator_catalogue().set_index("code")["label"].to_dict()
    merged = table.merge(structure, left_on="action_code", right_on="code", how="left")
    frame = pd.DataFrame(
        {
            axis: merged["axis_code"].astype(str) + " – " + merged["axis_title"].fillna(""),
            "Fiche-action": merged["action_code"].astype(str) + " – " + merged["title"].fillna(""),
            "Objectif": objective_words(merged),
            "Indicateur": merged["indicator_code"].map(labels),
            "Période évaluée": merged["period_label"],
            "Référence": [reference_text(v, label) for v, label in zip(merged["baseline"], merged["baseline_label"], strict=True)],
            "Valeur / cible": [value_target(objective) for objective in merged.to_dict("records")],
            "Cible": merged["target"],
            "Valeur": merged["value"],
            "Statut": merged["status"],
            "Données fictives": merged["demo"].map({True: "oui", False: "non"}),
        }
    )
    frame.attrs["demo"] = bool(table.attrs.get("demo"))
    return frame


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value).strip()  # type: ignore[call-overload]


def _euros(value: object) -> str:
    return "" if value is None or pd.isna(value) else f"{fr_number(float(value))} €"  # type: ignore[arg-type,call-overload]


def fiche_records(loader: Loader, plan: str, year: int | None) -> pd.DataFrame:
    """The follow-up record of each fiche for ``year`` (``progress_table``'s columns, one row per
    fiche in the plan's order); with ``year`` None, each fiche's latest recorded year of the plan
    (a fiche never followed: its row for the plan's last year, « sans suivi »)."""
    table = loader.action_progress(plan)
    if year is not None:
        return table[table["year"] == year].reset_index(drop=True)
    recorded = table[table["state"].notna() | table["done"].notna() | table["comment"].notna()]
    latest = recorded.groupby("action_code", sort=False).tail(1).set_index("action_code")
    last_year = int(table["year"].max()) if not table.empty else None
    rows = [
        latest.loc[code] if code in latest.index else table[(table["action_code"] == code) & (table["year"] == last_year)].iloc[0]
        for code in table.drop_duplicates("action_code")["action_code"]
    ]
    return pd.DataFrame(
        [
            {**row.to_dict(), "action_code": code}
            for code, row in zip(table.drop_duplicates("action_code")["action_code"], rows, strict=True)
        ]
    )


def fiches_sheet(loader: Loader, plan: str, year: int | None, objectives: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every fiche-action of ``plan`` in its order, with or without objectives: its objective in the
    plan's words, pilote / partenaires / moyens (the follow-up record's, else the plan's
    « responsable / partenaires / coût »), the record's year, état, réalisations and commentaire,
    the plan's indicators d'effectivité / d'efficacité / d'impact (its words; their values are in
    « Indicateurs »), and how many objectives the « Objectifs » sheet (``objectives``) lists for it."""
    axis = axis_word(loader.plans().set_index("code").loc[plan])  # type: ignore[arg-type]
    structure = loader.plan_structure(plan)
    records = fiche_records(loader, plan, year).set_index("action_code")
    counts = objectives["Fiche-action"].str.split(" – ").str[0].value_counts() if objectives is not None else pd.Series(dtype=int)

    def pick(code: str, field: str, fallback: object) -> str:
        own = _text(records.loc[code, field]) if code in records.index else ""
        if field == "budget":
            own = _euros(records.loc[code, field]) if code in records.index else ""
        return own or _text(fallback) or MISSING

    frame = pd.DataFrame(
        {
            axis: structure["axis_code"].astype(str) + " – " + structure["axis_title"].fillna(""),
            "Fiche-action": structure["code"].astype(str) + " – " + structure["title"].fillna(""),
            "Objectif de la fiche (termes du plan)": [_text(o) or MISSING for o in structure["objective"]],
            "Pilote": [pick(c, "lead", f) for c, f in zip(structure["code"], structure["responsible"], strict=True)],
            "Partenaires": [pick(c, "partners", f) for c, f in zip(structure["code"], structure["partners"], strict=True)],
            "Moyens": [pick(c, "budget", f) for c, f in zip(structure["code"], structure["cost"], strict=True)],
            "Année du suivi": [
                str(int(records.loc[c, "year"])) if c in records.index and _text(records.loc[c, "state"]) else MISSING
                for c in structure["code"]
            ],
            "État": [_text(records.loc[c, "state_label"]) if c in records.index else PROGRESS_NOT_RECORDED for c in structure["code"]],
            "Réalisations": [(_text(records.loc[c, "done"]) if c in records.index else "") or MISSING for c in structure["code"]],
            "Commentaire": [(_text(records.loc[c, "comment"]) if c in records.index else "") or MISSING for c in structure["code"]],
            **{
                header: [" ".join(_text(text).split()) or MISSING for text in structure[column]]
                for header, column in EVALUATION_HEADERS.items()
            },
            "Objectifs suivis": [int(counts.get(c, 0)) for c in structure["code"]],
        }
    )
    return frame


def evaluation_sheet(loader: Loader, plan: str) -> pd.DataFrame:
    """The plan evaluated over its period (``plan_evaluation`` through ``plan_matrix``): one row per
    objective — its chantier/orientation, fiche, objective in the plan's words, reference, then each
    plan year's status and value, then the verdict over the plan (column « Bilan du plan »)."""
    axis = axis_word(loader.plans().set_index("code").loc[plan])  # type: ignore[arg-type]
    evaluation = loader.plan_evaluation(plan)
    matrix = plan_matrix(evaluation)
    structure = loader.plan_structure(plan)
    axes = dict(zip(structure["code"], structure["axis_code"].astype(str) + " – " + structure["axis_title"].fillna(""), strict=True))
    matrix.insert(0, axis, matrix["Fiche"].map(axes))
    matrix.insert(
        3,
        "Référence",
        [reference_text(v, label) for v, label in zip(evaluation["baseline"], evaluation["baseline_label"], strict=True)],
    )
    matrix.attrs["demo"] = bool(evaluation.attrs.get("demo"))
    matrix.attrs["years"] = list(evaluation.attrs.get("years", []))
    matrix.attrs["verdicts"] = list(evaluation["verdict"])
    return matrix


def indicators_sheet(loader: Loader, plan: str, year: int) -> pd.DataFrame:
    """Each fiche-action's linked indicators on the plan's home (:func:`bilan_home`: the département,
    an intercommunal plan's perimeter): ``year - 1``, ``year`` and the change; ``attrs["where"]``
    says which (:func:`home_words`)."""
    row = plan_row(loader, plan, year)
    _, home = bilan_home(loader, row)
    links = loader.action_indicators(plan)
    structure = loader.plan_structure(plan)[["code", "title"]]
    catalogue = loader.indicator_catalogue().set_index("code")
    codes = sorted(set(links["indicator_code"]))
    values = (
        loader.indicator_series(tuple(codes), (home,), Period.years(year - 1, year), "year")
        if codes
        else pd.DataFrame(columns=SERIES_COLUMNS)
    )
    by_year = {
        (code, day.year): value for code, day, value in zip(values["indicator_code"], values["period_start"], values["value"], strict=True)
    }
    order = {code: i for i, code in enumerate(structure["code"])}
    links = links.assign(order=links["action_code"].map(order)).sort_values(["order", "indicator_code"])
    titles = dict(zip(structure["code"], structure["title"], strict=True))
    before, now = (links["indicator_code"].map(lambda c, y=y: by_year.get((c, y))) for y in (year - 1, year))
    before, now = pd.to_numeric(before), pd.to_numeric(now)
    frame = pd.DataFrame(
        {
            "Fiche-action": links["action_code"].astype(str) + " – " + links["action_code"].map(titles).fillna(""),
            "Indicateur": links["indicator_code"].map(catalogue["label"]),
            "Unité": links["indicator_code"].map(catalogue["unit"]),
            str(year - 1): before.to_numpy(),
            str(year): now.to_numpy(),
            "Évolution (%)": (100 * (now - before) / before.where(before != 0)).round(1).to_numpy(),
        }
    ).reset_index(drop=True)
    remarks = _secret_remarks(loader, links["indicator_code"], home, year)
    if remarks.any():  # a sum over secret cells is a minimum, and the bilan says so value by value
        frame["Remarque"] = remarks.to_numpy()
    frame.attrs["demo"] = bool(values.attrs.get("demo", False))
    frame.attrs["where"] = home_words(loader, row, home)
    return frame


def _secret_remarks(loader: Loader, indicators: pd.Series, territory: str, year: int) -> pd.Series:
    """Per row of ``indicators``, what the secret statistique does to its values of ``year - 1``
    and ``year`` (« 2020 : total minimal (2 valeurs sous secret) »), « » where nothing."""
    codes = tuple(sorted(set(indicators)))
    cells = loader.secret_cells(codes, (territory,), Period.years(year - 1, year), "year") if codes else pd.DataFrame()
    if cells.empty:
        return pd.Series("", index=indicators.index)
    said: dict[str, list[str]] = {}
    ordered = cells.sort_values("period_start")
    columns = (ordered[c] for c in ("indicator_code", "period_start", "n_secret", "n_cells", "n_secret_denominator"))
    for code, day, n, k, d in zip(*columns, strict=True):
        said.setdefault(str(code), []).append(f"{day.year} : {secret.cell_remark(int(n), int(k), int(d))}")
    return indicators.map(lambda code: " ; ".join(said.get(code, [])))


def outside_plan(row: pd.Series, year: int) -> str:
    """« » when ``year`` lies in the plan's period, else « hors période du plan 2014–2020 »: a bilan
    of a later year still evaluates the plan's objectives, and says so."""
    start, end = pd.Timestamp(row["period_start"]).year, pd.Timestamp(row["period_end"]).year
    return "" if start <= year <= end else f"hors période du plan {start}–{end}"


def bilan_tables(loader: Loader, plan: str, year: int | None) -> dict[str, pd.DataFrame]:
    """Sheet name → table: « Synthèse » (statuses, états, what moved most, objectives at risk),
    « Fiches-action », « Dispositifs » (the results of the programmes serving its fiches, when it
    has any), « Objectifs », « Évaluation du plan », « Indicateurs », « Territoires »
    (values, rates per 1 000 ménages and ranks by rate) and « Objectifs par territoire » (each
    territoire's own objectives under their territorial rules); see the module docstring.

    With ``year`` None, the bilan of the whole plan period: « Évaluation du plan » right after the
    synthesis, each fiche's latest recorded follow-up, the objectives, indicators and territories of
    the plan's last year (:func:`bilan_year`).

    Raises
    ------
    UserError
        Unknown plan or a year outside 2000 – this year.
    """
    shown = bilan_year(loader, plan, year)
    departement = str(plan_row(loader, plan, shown)["departement_code"])
    objectives = objectives_sheet(loader, plan, shown)
    fiches = fiches_sheet(loader, plan, year, objectives)
    evaluation = evaluation_sheet(loader, plan)
    indicators = indicators_sheet(loader, plan, shown)
    first = {"Évaluation du plan": evaluation, "Fiches-action": fiches} if year is None else {"Fiches-action": fiches}
    programmes = programme_sheet(loader, plan, axis_word(plan_row(loader, plan, shown)))
    return {
        "Synthèse": synthesis_sheet(objectives, fiches, indicators, shown),
        **first,
        **({"Dispositifs": programmes} if not programmes.empty else {}),
        "Objectifs": objectives,
        "Évaluation du plan": evaluation,
        "Indicateurs": indicators,
        "Territoires": territories_sheet(loader, departement, shown),
        "Objectifs par territoire": territorial_objectives_sheet(loader, plan, departement, shown),
    }
