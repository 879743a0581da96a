"""What the overview page shows: one tile per family, points of attention, source freshness."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from data_access.aggregation import summed_values
from data_access.french import fr_signed_percent
from data_access.objectives import objective_status_frame
from data_access.periods import Period
from data_access.queries import coverage, indicator_catalogue, plan_objectives, territories, territory_name

TILE_COLUMNS = ["family", "title", "part", "value", "previous", "change_pct", "unit", "demo"]
ATTENTION_COLUMNS = ["territory_code", "name", "indicator_code", "label", "value", "mean_before", "change_pct", "sentence", "demo"]


@dataclass(frozen=True)
class Family:
    key: str
    title: str
    parts: tuple[tuple[str, tuple[str, ...]], ...]  # (label, indicators summed)
    unit: str
    objective_indicators: tuple[str, ...]


FAMILIES = (
    Family(
        "assignations", "Assignations", (("Assignations", ("assignations",)),), "assignations", ("assignations", "taux_cql_assignations")
    ),
    Family(
        "expulsions",
        "Concours de la force publique et expulsions",
        (("CFP accordés", ("cfp_accordes",)), ("Expulsions effectives", ("expulsions_effectives",))),
        "décisions / expulsions",
        ("cfp_accordes", "expulsions_effectives"),
    ),
    Family(
        "fsl",
        "Aides FSL",
        (
            (
                "Ménages aidés",
                ("fsl_acces_menages", "fsl_maintien_menages", "fsl_energie_menages", "fsl_eau_menages", "fsl_telephone_menages"),
            ),
            ("Demandes charges courantes", ("fsl_demandes_charges_courantes",)),
        ),
        "ménages / demandes",
        ("fsl_demandes_charges_courantes", "fsl_demandes_energie"),
    ),
    Family(
        "mal_logement",
        "Signalements de mal-logement",
        (("Situations signalées", ("signalements_insalubrite", "signalements_non_decence", "signalements_precarite_energetique")),),
        "situations",
        ("signalements_insalubrite", "signalements_non_decence", "signalements_precarite_energetique", "logements_sortis_indignite"),
    ),
)
ATTENTION_INDICATORS = ("assignations", "cql", "cfp_accordes", "expulsions_effectives", "fsl_demandes_charges_courantes", "menages_reperes")
# below this three-year average, a relative change says more about chance than about a trend
ATTENTION_MIN_AVERAGE = 15


def family_tiles(conn: Connection, *, territory: str, year: int) -> pd.DataFrame:
    """Each family's parts for ``year`` and the year before, with the change in percent.
    Columns: TILE_COLUMNS (one row per family part, families in FAMILIES order)."""
    indicators = sorted({code for family in FAMILIES for _, codes in family.parts for code in codes})
    values = summed_values(conn, indicators, [territory], Period.years(year - 1, year), "year")
    values["year"] = [d.year for d in values["period_start"]]
    rows = []
    for family in FAMILIES:
        for label, codes in family.parts:
            part = values[values["indicator_code"].isin(codes)]
            current, previous = (part.loc[part["year"] == y, "value"] for y in (year, year - 1))
            value = float(current.sum()) if not current.empty else None
            before = float(previous.sum()) if not previous.empty else None
            change = 100 * (value - before) / before if value is not None and before else None
            rows.append((family.key, family.title, label, value, before, change, family.unit, bool(part["demo"].any())))
    return pd.DataFrame(rows, columns=TILE_COLUMNS)


def family_objectives(conn: Connection, *, plan: str, year: int, territory: str | None) -> pd.DataFrame:
    """The plan objectives measured by each family's indicators: family plus the objective table columns."""
    objectives = plan_objectives(conn, plan=plan)
    measured = {code for f in FAMILIES for code in f.objective_indicators}
    table = objective_status_frame(conn, objectives[objectives["indicator_code"].isin(measured)], territory, year)
    codes = table["indicator_code"].tolist()
    rows = [(f.key, i) for f in FAMILIES for i, code in enumerate(codes) if code in f.objective_indicators]
    return table.iloc[[i for _, i in rows]].reset_index(drop=True).assign(family=[key for key, _ in rows])


def attention_points(
    conn: Connection, *, departement: str, year: int, level: str = "territoire", territory: str | None = None, limit: int = 6
) -> pd.DataFrame:
    """The territories and indicators that moved most in ``year`` against their average of the
    three previous years, largest relative change first, with a French sentence each.

    ``territory`` (any level's code) keeps that territory's own indicators instead of the
    département's ``level``. Only series whose three-year average reaches ATTENTION_MIN_AVERAGE
    are considered. Columns: ATTENTION_COLUMNS."""
    if territory is not None:
        places = pd.DataFrame({"code": [territory], "name": [territory_name(conn, code=territory)]})
    else:
        places = territories(conn, departement=departement, level=level)
    values = summed_values(conn, list(ATTENTION_INDICATORS), places["code"].tolist(), Period.years(year - 3, year), "year")
    if values.empty:
        return pd.DataFrame(columns=ATTENTION_COLUMNS)
    values["year"] = [d.year for d in values["period_start"]]
    table = values.pivot_table(index=["territory_code", "indicator_code"], columns="year", values="value", aggfunc="sum")
    demo = values.groupby(["territory_code", "indicator_code"])["demo"].any()
    if year not in table.columns:
        return pd.DataFrame(columns=ATTENTION_COLUMNS)
    before = table[[y for y in (year - 3, year - 2, year - 1) if y in table.columns]].mean(axis=1)
    frame = pd.DataFrame({"value": table[year], "mean_before": before, "demo": demo}).dropna(subset=["value", "mean_before"])
    frame = frame[frame["mean_before"] >= ATTENTION_MIN_AVERAGE]
    frame["change_pct"] = 100 * (frame["value"] - frame["mean_before"]) / frame["mean_before"]
    frame = frame.reindex(frame["change_pct"].abs().sort_values(ascending=False).index).head(limit).reset_index()
    names = places.set_index("code")["name"]
    labels = indicator_catalogue(conn).set_index("code")["label"]
    frame["name"] = frame["territory_code"].map(names)
    frame["label"] = frame["indicator_code"].map(labels)
    frame["sentence"] = [
        f"{name} : {label.split(' (')[0].lower()} {_signed(change)} par rapport à la moyenne {year - 3}–{year - 1}"
        for name, label, change in zip(frame["name"], frame["label"], frame["change_pct"], strict=True)
    ]
    return frame[ATTENTION_COLUMNS]


def _signed(change: float) -> str:
    return fr_signed_percent(change)


def source_freshness(conn: Connection, *, departement: str) -> pd.DataFrame:
    """Per source: the last period stored, the last update, and whether it is demo data.
    Columns: source, last_period, updated_at, demo."""
    cov = coverage(conn, departement=departement)
    if cov.empty:
        return pd.DataFrame(columns=["source", "last_period", "updated_at", "demo"])
    sources = indicator_catalogue(conn).set_index("code")["source"]
    cov["source"] = cov["indicator_code"].map(sources)
    grouped = cov.groupby("source").agg(last_period=("last_period", "max"), updated_at=("updated_at", "max"), demo=("n_demo", "sum"))
    grouped["demo"] = grouped["demo"] > 0
    return grouped.reset_index().sort_values("last_period", ascending=False, ignore_index=True).replace({np.nan: None})
