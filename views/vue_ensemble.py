"""Vue d'ensemble : la dernière année complète en un coup d'œil — familles, points d'attention, objectifs."""

from __future__ import annotations

import pandas as pd

from data_access.french import MISSING, fr_bool, fr_date, fr_measure, fr_month, fr_number, fr_signed_percent
from data_access.overview import FAMILIES
from data_access.vocabulary import PAGE_INFO, Page
from views import common, followup
from views.loader import Loader
from views.model import Block, KeyFigure, Table, Text, Tile, Tiles, View
from views.objective_tables import objective_table, summary_status, value_target
from views.params import ViewParams
from views.plans_side_by_side import side_by_side_tables
from views.scoreboard import scoreboard
from views.wording import escape_markdown

TITLE = PAGE_INFO[Page.VUE_ENSEMBLE].page_title
MAX_KEY_FIGURES = 4
NO_COMPLETE_YEAR = "une année complète dans la base : lancez « make run » (données de démonstration) ou importez un fichier"
ATTENTION_CAPTION = (
    "Territoires et indicateurs qui s'écartent le plus de leur moyenne des trois années précédentes (séries d'au moins 15 cas par an)."
)


def build(params: ViewParams, loader: Loader) -> View:
    """The last complete year of the chosen period: one tile per family, points of attention, objectives, source freshness."""
    latest = loader.latest_complete_year(params.plan)
    year = min(latest, params.last_year) if latest is not None else None
    if year is None:
        return View(Page.VUE_ENSEMBLE, TITLE, f"{params.plan_name} · {params.territory_name}", empty=NO_COMPLETE_YEAR)
    territory = None if params.is_departement else params.territory
    tiles = loader.family_tiles(params.territory, year)
    objectives = loader.family_objectives(params.plan, year, territory)
    statuses = loader.objective_status_table(params.plan, year, territory)
    indicators = [code for family in FAMILIES for _, codes in family.parts for code in codes]
    source = common.source_line(loader, indicators, params.departement)
    demo = common.is_demo(tiles, objectives, statuses)
    codes = loader.plan_structure(params.plan)["code"].astype(str).tolist()
    states = followup.states_in(loader.action_progress(params.plan), codes, year)
    blocks: list[Block] = [
        scoreboard(params, [str(s) for s in statuses["status"]], followup.fiche_counts(states.values(), params), year),
        Tiles(
            tuple(
                family_tile(parts, objectives[objectives["family"] == family], year)
                for family, parts in tiles.groupby("family", sort=False)
            )
        ),
        *(tables[:1] if (tables := side_by_side_tables(params, loader, year)) else ()),
        *_attention(loader, params, year),
        Table(
            f"objectifs-{params.plan}-{year}",
            f"Objectifs du plan : statut {year}{common.plan_mark(params, year)}" + (f" — {params.territory_name}" if territory else ""),
            objective_table(statuses, territorial=territory is not None),
            demo=common.is_demo(objectives, statuses),
            status_columns=("Statut",),
            full=True,
        ),
        _freshness(loader, params),
    ]
    return View(
        Page.VUE_ENSEMBLE,
        TITLE,
        f"{params.plan_name} · {params.territory_name} · {year} (dernière année complète){common.plan_mark(params, year)}",
        tuple(blocks),
        key_figures=key_figures(tiles, year),
        status=summary_status([str(s) for s in statuses["status"]], year),
        source=source,
        demo=demo,
    )


def family_tile(parts: pd.DataFrame, objectives: pd.DataFrame, year: int) -> Tile:
    """One family's tile: its values for ``year``, their change on a year, its objectives' statuses."""
    figures = tuple(
        (
            str(row.part),
            fr_measure(row.value),
            None if (change := _float(row.change_pct)) is None else f"{fr_signed_percent(change)} sur un an",
        )
        for row in parts.itertuples()
    )
    badges = tuple(
        (str(objective["status"]), f"{value_target(objective)} — {objective['label']}") for objective in objectives.to_dict("records")
    )
    return Tile(str(parts["title"].iloc[0]), figures, f"Évolution : {year} par rapport à {year - 1}", badges)


def key_figures(tiles: pd.DataFrame, year: int) -> tuple[KeyFigure, ...]:
    """The first four family parts: « Assignations en 2024 » → « 3 103 (+11 %) »."""
    figures = []
    for row in tiles.head(MAX_KEY_FIGURES).itertuples():
        change = "" if (pct := _float(row.change_pct)) is None else f" ({fr_signed_percent(pct)})"
        figures.append(KeyFigure(f"{row.part} en {year}", f"{fr_number(_float(row.value))}{change}"))
    return tuple(figures)


def _float(value: object) -> float | None:
    """A frame's cell as a number, None when missing."""
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[call-overload,arg-type]


def _attention(loader: Loader, params: ViewParams, year: int) -> list[Block]:
    """The département's territories that moved most, or the chosen territory's own indicators."""
    territory = None if params.is_departement else params.territory
    points = loader.attention_points(params.departement, year, territory=territory)
    body = (
        "\n".join(f"- {escape_markdown(str(sentence))}" for sentence in points["sentence"])
        if not points.empty
        else "Aucun mouvement marqué par rapport aux trois années précédentes."
    )
    where = f" — {params.territory_name}" if territory else ""
    return [Text(body, heading=f"Points d'attention {year}{where}"), Text(ATTENTION_CAPTION, caption=True)]


def _freshness(loader: Loader, params: ViewParams) -> Table:
    freshness = loader.source_freshness(params.departement)
    data = pd.DataFrame(
        {
            "Source": freshness["source"],
            "Dernière période": [MISSING if d is None or pd.isna(d) else fr_month(d) for d in freshness["last_period"]],
            "Mise à jour": [MISSING if d is None or pd.isna(d) else fr_date(d) for d in freshness["updated_at"]],
            "Données fictives": freshness["demo"].map(fr_bool),
        }
    )
    return Table("fraicheur-des-sources", "Fraîcheur des sources", data)
