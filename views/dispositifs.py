"""Dispositifs du plan : the programmes that carry the plan (« Logement toujours »), each with its
operators, period, fiches-action, budget as published and results over the periods they cover.

A result is shown as what it is: its value with its bound (« moins de 1 500 € »), the period it
covers in words (« 2016–2018 », « période non précisée »), whether it is published or worked out
from its parts, and the document's sentence. Results are never added up, nor to yearly values.
The same blocks show in the Plan d'action and the bilan of the fiches a programme serves."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data_access.french import fr_date, fr_number
from data_access.vocabulary import OUTCOMES, PAGE_INFO, Outcome, Page
from figures.outcomes import share_bars
from views.loader import Loader
from views.model import Block, Chart, KeyFigure, Table, Text, View
from views.params import ViewParams

TITLE = PAGE_INFO[Page.DISPOSITIFS].page_title
NO_PERIOD = "période non précisée"
PUBLISHED = "publié"
NONE_TEXT = (
    "Aucun dispositif n'est décrit pour ce plan. Un dispositif (programme de prévention, "
    "accompagnement…) se décrit dans un fichier `plans/<plan>/dispositifs/<code>.yaml` "
    "(voir le README, section « Plans ») puis se charge avec le plan."
)
RESULTS_CAPTION = (
    "Chaque résultat couvre la période indiquée par le document (jamais un mois ni une année) : "
    "il n'est jamais additionné aux valeurs annuelles des indicateurs, ni à un autre résultat."
)
BUDGET_CAPTION = (
    "Montants publiés par le document, par an ; ils ne sont pas additionnés (les parts des financeurs peuvent dépasser le budget)."
)
MISSING_AXIS = "–"
KEY_UNITS = {"%", "personnes", "ménages", "parcours"}  # the results a slide prints large
RESULT_COLUMNS = ["Résultat", "Valeur", "Période couverte", "Calcul", "Citation du document"]


def period_words(start: dt.date | None, end: dt.date | None) -> str:
    """The period a result covers: « 2016–2018 » (whole years), « 2018 », « à fin 2018 » (an end
    only), « du 01/03/2016 au 30/06/2018 », or « période non précisée »."""
    if start is None and end is None:
        return NO_PERIOD
    if start is None:
        assert end is not None
        return f"à fin {end.year}" if (end.month, end.day) == (12, 31) else f"au {fr_date(end)}"
    if end is None:
        return f"depuis {start.year}" if (start.month, start.day) == (1, 1) else f"depuis le {fr_date(start)}"
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    return f"du {fr_date(start)} au {fr_date(end)}"


def result_text(value: float, unit: str, bound: str | None) -> str:
    """« 85 personnes », « 24 % », « moins de 1 500 € pour 6 mois d'accompagnement »."""
    decimals = 0 if float(value).is_integer() else 1
    number = f"{fr_number(value, decimals)}\u202f%" if unit == "%" else f"{fr_number(value, decimals)} {unit}"
    return f"{bound} {number}" if bound else number


def _calculation(row: pd.Series, results: pd.DataFrame) -> str:
    """« publié », or how a share was worked out: « calculé : 12 / 51 parcours clôturés »."""
    if not row["computed"]:
        return PUBLISHED
    parts = OUTCOMES[Outcome(row["outcome"])].parts or ()
    period = (str(row["period_start"]), str(row["period_end"]))  # None == None is no match in pandas
    same = results[
        (results["dispositif_code"] == row["dispositif_code"])
        & (results["period_start"].astype(str) == period[0])
        & (results["period_end"].astype(str) == period[1])
    ]
    values = [same.loc[same["outcome"] == part.value, "value"] for part in parts]
    numerator, denominator = (fr_number(float(v.iloc[0])) if len(v) else "–" for v in values)
    return f"calculé : {numerator} / {denominator} {OUTCOMES[parts[1]].label.lower()}" if parts else "calculé"


def results_table(results: pd.DataFrame) -> pd.DataFrame:
    """One programme's results (``data_access.dispositifs.dispositif_results`` rows) as shown."""
    return pd.DataFrame(
        [
            (
                row["label"],
                result_text(float(row["value"]), row["unit"], row["bound"]),
                period_words(_day(row["period_start"]), _day(row["period_end"])),
                _calculation(row, results),
                row["quote"] or "–",
            )
            for _, row in results.iterrows()
        ],
        columns=RESULT_COLUMNS,
    )


def budget_table(budgets: pd.DataFrame) -> pd.DataFrame:
    """One programme's budget lines as published: « 2016–2018 » · « Budget du dispositif » · 207 000 (a funder: « Financement : FNAVDL »)."""
    return pd.DataFrame(
        {
            "Années": [str(s) if s == e else f"{s}–{e}" for s, e in zip(budgets["start_year"], budgets["end_year"], strict=True)],
            "Ligne": [f"Financement : {funder}" if funder else "Budget du dispositif" for funder in budgets["funder"]],
            "Montant par an (€)": budgets["euros_per_year"].round().astype("Int64"),
        }
    )


def _day(value: object) -> dt.date | None:
    """A stored period bound as a date (a Timestamp's day), None when absent (None or NaT)."""
    return pd.Timestamp(value).date() if isinstance(value, dt.date) else None


def _facts(programme: pd.Series, actions: pd.DataFrame) -> str:
    served = "; ".join(f"{code} — {title}" for code, title in zip(actions["action_code"], actions["action_title"], strict=True))
    lines = [
        ("Programme", programme["programme"]),
        ("Opérateurs", programme["operators"]),
        ("Accompagnement", programme["support"]),
        ("Période", f"{programme['start_year']}–{programme['end_year']}"),
        ("Territoire", programme["territory_label"]),
        ("Fiche(s)-action du plan", served or None),
        ("Public", programme["public"]),
        ("Financeurs", programme["funders"]),
        ("Moyens humains", programme["human_means"]),
        ("Source", programme["source"]),
    ]
    facts = "\n".join(f"- **{name}** : {' '.join(str(value).split())}" for name, value in lines if value)
    presentation = programme["presentation"]
    return f"{presentation}\n\n{facts}" if presentation else facts


def programme_blocks(
    programme: pd.Series, actions: pd.DataFrame, results: pd.DataFrame, budgets: pd.DataFrame, *, presentation: bool = False
) -> tuple[Block, ...]:
    """What is shown of one programme: its facts, its published shares as bars, its results and its budget."""
    code = str(programme["code"])
    source = f"Source : {programme['source']}"
    shown = results_table(results)
    shares = results[results["unit"] == "%"]
    blocks: list[Block] = [Text(_facts(programme, actions), heading=str(programme["name"]))]
    if not shares.empty:
        bars = pd.DataFrame(
            {
                "label": shares["label"],
                "value": shares["value"].astype(float),
                "text": [result_text(float(v), "%", b) for v, b in zip(shares["value"], shares["bound"], strict=True)],
                "period": [period_words(_day(s), _day(e)) for s, e in zip(shares["period_start"], shares["period_end"], strict=True)],
            }
        )
        data = shown[results["unit"].eq("%").to_numpy()].reset_index(drop=True)
        blocks.append(
            Chart(
                f"parts-{code}",
                f"{programme['name']} : résultats publiés en part des situations",
                share_bars(bars, presentation=presentation),
                data[["Résultat", "Valeur", "Période couverte", "Calcul"]],
                "%",
                (),
                False,
                source=source,
                note="Chaque part porte sur la période que le document indique ; les parts ne s'additionnent pas.",
                key_figure=next(iter(key_figures(results)), None),
            )
        )
    blocks.append(
        Table(f"resultats-{code}", f"{programme['name']} : résultats publiés", shown, caption=RESULTS_CAPTION, source=source, full=True)
    )
    if not budgets.empty:
        blocks.append(
            Table(
                f"budget-{code}", f"{programme['name']} : budget", budget_table(budgets), caption=BUDGET_CAPTION, source=source, full=True
            )
        )
    return tuple(blocks)


def plan_programme_blocks(loader: Loader, plan: str, action: str | None = None, *, presentation: bool = False) -> tuple[Block, ...]:
    """The blocks of every programme of the plan (or of those serving fiche ``action``), in code order."""
    programmes, actions = loader.dispositifs(plan), loader.dispositif_actions(plan)
    results, budgets = loader.dispositif_results(plan), loader.dispositif_budgets(plan)
    if action is not None:
        programmes = programmes[programmes["code"].isin(actions.loc[actions["action_code"] == action, "dispositif_code"])]
    return tuple(
        block
        for _, programme in programmes.iterrows()
        for block in programme_blocks(
            programme,
            actions[actions["dispositif_code"] == programme["code"]],
            results[results["dispositif_code"] == programme["code"]].reset_index(drop=True),
            budgets[budgets["dispositif_code"] == programme["code"]],
            presentation=presentation,
        )
    )


def key_figures(results: pd.DataFrame) -> tuple[KeyFigure, ...]:
    """One programme's first counts and shares (at most four), each with its period
    (« Personnes accompagnées (2016–2018) » → « 85 »)."""
    figures = [
        KeyFigure(
            f"{row['label']} ({period_words(_day(row['period_start']), _day(row['period_end']))})",
            result_text(float(row["value"]), "%" if row["unit"] == "%" else "", row["bound"]).strip(),
        )
        for _, row in results.iterrows()
        if row["unit"] in KEY_UNITS
    ]
    return tuple(figures[:4])


def build(params: ViewParams, loader: Loader) -> View:
    """The plan's programmes, or a French message saying the plan describes none."""
    programmes = loader.dispositifs(params.plan)
    filters = f"{params.plan_name} · dispositifs du plan"
    if programmes.empty:
        return View(Page.DISPOSITIFS, TITLE, filters, (Text(NONE_TEXT),))  # not « no data for this period »: nothing to widen
    results = loader.dispositif_results(params.plan)
    first = results[results["dispositif_code"] == programmes["code"].iloc[0]]
    return View(
        Page.DISPOSITIFS,
        TITLE,
        filters,
        plan_programme_blocks(loader, params.plan, presentation=params.presentation),
        key_figures=key_figures(first),
        source=" · ".join(f"Source : {source}" for source in programmes["source"]),
    )


def programme_sheet(loader: Loader, plan: str, axis: str) -> pd.DataFrame:
    """The bilan's « Dispositifs » sheet: one row per result of each programme and fiche-action it
    serves (``axis``: the plan's word for its axes, « Chantier », first column « 3 – … »), with the
    programme's period and operators, the result as shown on the Dispositifs page and its source.
    Published figures: never demo data (``attrs["demo"]`` False)."""
    programmes, actions = loader.dispositifs(plan), loader.dispositif_actions(plan)
    results, structure = loader.dispositif_results(plan), loader.plan_structure(plan)
    axes = dict(zip(structure["code"], structure["axis_code"].astype(str) + " – " + structure["axis_title"].fillna(""), strict=True))
    rows = []
    for programme in programmes.itertuples(index=False):
        own = results[results["dispositif_code"] == programme.code].reset_index(drop=True)
        shown = results_table(own)
        for fiche in actions[actions["dispositif_code"] == programme.code].itertuples(index=False):
            for result in shown.itertuples(index=False):
                rows.append(
                    (
                        axes.get(fiche.action_code, MISSING_AXIS),
                        f"{fiche.action_code} – {fiche.action_title}",
                        programme.name,
                        f"{programme.start_year}–{programme.end_year}",
                        programme.operators,
                        *result,
                        programme.source,
                    )
                )
    frame = pd.DataFrame(
        rows, columns=[axis, "Fiche-action", "Dispositif", "Période du dispositif", "Opérateurs", *RESULT_COLUMNS, "Source"]
    )
    frame.attrs["demo"] = False
    return frame


def fiche_programme_tables(loader: Loader, plan: str) -> dict[str, tuple[Table, ...]]:
    """Per fiche-action served by programmes, one table per programme: its results as the
    Dispositifs page shows them (without the quotes, which that page keeps)."""
    programmes = loader.dispositifs(plan).set_index("code")
    actions, results = loader.dispositif_actions(plan), loader.dispositif_results(plan)
    tables: dict[str, tuple[Table, ...]] = {}
    for code, action in zip(actions["dispositif_code"], actions["action_code"], strict=True):
        programme = programmes.loc[code]
        shown = results_table(results[results["dispositif_code"] == code].reset_index(drop=True))
        title = f"Dispositif « {programme['name']} » ({programme['start_year']}–{programme['end_year']}) : résultats publiés"
        table = Table(
            f"dispositif-{code}-fiche-{action}",
            title,
            shown.drop(columns=["Citation du document"]),
            caption=f"{RESULTS_CAPTION} Opérateurs, budget et citations : page « {PAGE_INFO[Page.DISPOSITIFS].title} ».",
            downloads=False,
            full=True,
            source=f"Source : {programme['source']}",
        )
        tables[action] = (*tables.get(action, ()), table)
    return tables
