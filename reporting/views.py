"""One saved view of the dashboard (a page and its URL parameters) as a :class:`~reporting.slides.Slide`.

The figure is the page's main figure, built as the page builds it but with ``presentation=True``;
the data come from ``data_access`` query functions only. Parameters are read as the dashboard
reads its URL (``ui.filters``): a missing or invalid parameter falls back to the page's default,
an unknown page is a :class:`~data_access.errors.UserError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import Connection

from data_access import objectives, overview, queries
from data_access.errors import UserError
from data_access.french import fr_number, fr_signed_percent, fr_value
from data_access.periods import GRANULARITY_LABELS, Granularity, Period
from data_access.seances import PAGES
from figures.aids import aid_bars
from figures.chain import chain_funnel
from figures.ranking import ranking_bar
from figures.trends import trend_figure
from geo.cache import load_levels
from geo.maps import choropleth
from reporting.slides import Slide

GRANULARITIES: dict[str, Granularity] = {"mois": "month", "trimestre": "quarter", "annee": "year", "glissant": "rolling12"}
LEVELS = {"territoire": "territoires", "epci": "intercommunalités (EPCI)", "arrondissement": "arrondissements", "commune": "communes"}
LEVEL_SINGULAR = {"territoire": "territoire", "epci": "intercommunalité", "arrondissement": "arrondissement", "commune": "commune"}
MODES = {"value": "valeur", "rate": "pour 1 000 ménages", "per_inhabitants": "pour 1 000 habitants"}
FSL_TYPES = ("acces", "maintien", "energie", "eau", "telephone")
SIGNALEMENTS = ("signalements_insalubrite", "signalements_non_decence", "signalements_precarite_energetique")
NOTE_ROOM = 110  # characters of the filters line (20 pt, 12,45 in)
SHORT_NAMES = {
    "signalements_insalubrite": "insalubrité",
    "signalements_non_decence": "non-décence",
    "signalements_precarite_energetique": "précarité énergétique",
    "assignations": "assignations",
    "taux_cql_assignations": "CQL par assignation",
}
STATUS_ORDER = ("atteint", "en bonne voie", "en retard", "non atteint", "pas de données")
PAGE_NAMES = {
    "vue_ensemble": "Vue d'ensemble",
    "tendances": "Tendances",
    "comparer": "Comparer les territoires",
    "expulsions": "Procédure d'expulsion",
    "fsl": "Aides FSL",
    "mal_logement": "Mal-logement",
    "plan_action": "Plan d'action",
    "donnees_methodes": "Données et méthodes",
}
STATUS_COLUMNS_FR = {
    "action_code": "Fiche-action",
    "label": "Objectif",
    "indicator_label": "Indicateur",
    "period_label": "Période évaluée",
    "target": "Cible",
    "baseline": "Référence",
    "value": "Valeur",
    "status": "Statut",
}


@dataclass(frozen=True)
class ViewParams:
    """The URL parameters of a view, validated and with the page defaults filled in."""

    plan: str
    plan_name: str
    departement: str
    first_year: int
    last_year: int
    granularity: Granularity
    level: str
    territory: str
    territory_name: str
    indicator: str | None
    mode: str | None

    @property
    def period(self) -> Period:
        return Period.years(self.first_year, self.last_year)

    @property
    def is_departement(self) -> bool:
        return self.territory == self.departement


def _year(raw: object, default: int) -> int:
    try:
        year = int(str(raw))
    except (TypeError, ValueError):
        return default
    return year if 1990 <= year <= 2100 else default


def view_params(conn: Connection, params: Mapping[str, str], *, plan: str | None = None) -> ViewParams:
    """Read a view's URL parameters as the dashboard does (``ui.filters``), defaults included.

    ``plan`` (the séance's plan) wins over a missing or unknown ``plan`` parameter.
    """
    known = queries.plans(conn).set_index("code")
    if known.empty:
        raise UserError("Aucun plan n'est chargé dans la base : lancez d'abord « python -m data_access init ».")
    code = str(params.get("plan") or plan or "")
    if code not in known.index:
        code = plan if plan is not None and plan in known.index else str(known.index[0])
    departement = str(known.at[code, "departement_code"])
    latest = objectives.latest_complete_year(conn, plan=code) or dt.date.today().year - 1
    first, last = _year(params.get("debut"), latest - 4), _year(params.get("fin"), latest)
    first, last = min(first, last), max(first, last)
    granularity = GRANULARITIES.get(str(params.get("granularite", "annee")), "year")
    level = str(params.get("niveau", "territoire"))
    level = level if level in LEVELS else "territoire"
    territory = str(params.get("territoire") or departement)
    name = queries.territory_name(conn, code=territory)
    if name == territory and territory != departement:  # unknown code: the page shows the département
        territory, name = departement, queries.territory_name(conn, code=departement)
    indicator = params.get("indicateur")
    mode = params.get("affichage")
    return ViewParams(
        code, str(known.at[code, "short_name"]), departement, first, last, granularity, level, territory, name, indicator, mode
    )


# --- shared pieces --------------------------------------------------------------------------------------


def _labels(catalogue: pd.DataFrame) -> dict[str, str]:
    """Indicator code → French label, from a catalogue indexed by code."""
    return {str(code): str(label) for code, label in catalogue["label"].items()}


def _catalogue(conn: Connection) -> pd.DataFrame:
    return queries.indicator_catalogue(conn).set_index("code")


def footer(conn: Connection, indicators: Sequence[str], departement: str) -> str:
    """« Source : Préfecture (EXPLOC) · Mise à jour : 24/11/2026 » for the given indicators."""
    catalogue = _catalogue(conn)
    sources = list(dict.fromkeys(str(catalogue.at[i, "source"]) for i in indicators if i in catalogue.index and catalogue.at[i, "source"]))
    covered = queries.coverage(conn, departement=departement)
    covered = covered[covered["indicator_code"].isin(list(indicators))] if indicators else covered
    updated = pd.to_datetime(covered["updated_at"]).max() if not covered.empty else pd.NaT
    text = f"Source : {' ; '.join(sources) if sources else 'observatoire PDALHPD'}"
    if pd.notna(updated):
        text += f" · Mise à jour : {updated:%d/%m/%Y}"
    return text


def filters_text(view: ViewParams, *, level: bool = False, granularity: bool = True, period: Period | None = None) -> str:
    """« Isère — PALHDI 2014–2020 · Isère · 2021–2025 · par année » (the level when the view compares territories)."""
    parts = [view.plan_name, view.territory_name]
    if level:
        parts.append(f"par {LEVEL_SINGULAR[view.level]}")
    parts.append((period or view.period).label())
    if granularity:
        parts.append(f"par {GRANULARITY_LABELS[view.granularity]}")
    return " · ".join(parts)


def _is_demo(frame: pd.DataFrame) -> bool:
    if "demo" in frame.attrs:
        return bool(frame.attrs["demo"])
    return bool(frame["demo"].fillna(False).astype(bool).any()) if "demo" in frame.columns and not frame.empty else False


def objective_status_text(conn: Connection, view: ViewParams, indicators: Sequence[str], labels: Mapping[str, str]) -> str | None:
    """« Objectif 2025 : atteint » for the objectives of ``plan`` measured by ``indicators`` (year = ``fin``), else None."""
    plan_objectives = queries.plan_objectives(conn, plan=view.plan)
    own = plan_objectives[plan_objectives["indicator_code"].isin(list(indicators))]
    if own.empty:
        return None
    territory = None if view.is_departement else view.territory
    statuses_in_order = objectives.objective_statuses(conn, own, territory, view.last_year)
    results = [(row, result) for (_, row), result in zip(own.iterrows(), statuses_in_order, strict=True)]
    if len(results) == 1:
        return f"Objectif {view.last_year} : {results[0][1].status}"
    statuses = {result.status for _, result in results}
    if len(statuses) == 1:  # the usual case, said in a few words for the badge
        return f"Objectifs {view.last_year} : {statuses.pop()} ({len(results)} sur {len(results)})"
    parts = [f"{SHORT_NAMES.get(row['indicator_code'], labels.get(row['indicator_code'], ''))} {result.status}" for row, result in results]
    return f"Objectifs {view.last_year} : " + ", ".join(parts)


def status_table(conn: Connection, plan: str, year: int, territory: str | None = None) -> pd.DataFrame:
    """The objective status table with French headers (the notes of the plan views)."""
    table = objectives.objective_status_table(conn, plan=plan, year=year, territory=territory)
    labels = _labels(_catalogue(conn))
    table = table.assign(indicator_label=table["indicator_code"].map(labels))
    french = table[list(STATUS_COLUMNS_FR)].rename(columns=STATUS_COLUMNS_FR)
    french.attrs["demo"] = table.attrs.get("demo", False)
    return french


def status_counts(table: pd.DataFrame) -> list[tuple[str, str]]:
    """Key figures: the number of objectives per status (only the statuses present)."""
    counts = table["Statut"].value_counts()
    return [(f"Objectifs « {status} »", fr_number(int(counts[status]))) for status in STATUS_ORDER if status in counts.index][:6]


def _last_and_change(series: pd.DataFrame, label: str, unit: str) -> list[tuple[str, str]]:
    """Last value of a one-line series, and its change on the previous bucket."""
    ordered = series.dropna(subset=["value"]).sort_values("period_start")
    if ordered.empty:
        return []
    last = ordered.iloc[-1]
    start: dt.date = last["period_start"]
    when = str(start.year) if start.month == 1 else f"{start:%m/%Y}"
    figures = [(f"{label} ({when})", fr_value(float(last["value"]), unit))]
    if len(ordered) > 1 and ordered.iloc[-2]["value"]:
        before = float(ordered.iloc[-2]["value"])
        figures.append(("Évolution sur la période précédente", fr_signed_percent(100 * (float(last["value"]) - before) / before)))
    return figures


def _series_table(series: pd.DataFrame, names: Mapping[str, str], granularity: str = "year") -> pd.DataFrame:
    periods = [d.year for d in series["period_start"]] if granularity == "year" else series["period_start"]
    return pd.DataFrame(
        {
            "Indicateur": series["indicator_code"].map(names),
            "Territoire": series["territory_code"].map(names),
            "Période": periods,
            "Valeur": series["value"],
            "Complet": series["complete"].map({True: "oui", False: "non"}),
        }
    )


# --- one builder per page -------------------------------------------------------------------------------


def _vue_ensemble(conn: Connection, view: ViewParams, title: str) -> Slide:
    year = objectives.latest_complete_year(conn, plan=view.plan) or view.last_year
    tiles = overview.family_tiles(conn, territory=view.territory, year=year)
    key_figures: list[tuple[str, str]] = []
    for tile in tiles.to_dict("records"):
        if len(key_figures) == 4:
            break
        value = fr_number(tile["value"]) if tile["value"] is not None and not pd.isna(tile["value"]) else "–"
        change = f" ({fr_signed_percent(tile['change_pct'])})" if tile["change_pct"] is not None and not pd.isna(tile["change_pct"]) else ""
        key_figures.append((f"{tile['part']} en {year}", f"{value}{change}"))
    table = status_table(conn, view.plan, year, None if view.is_departement else view.territory)
    indicators = [c for family in overview.FAMILIES for _, codes in family.parts for c in codes]
    return Slide(
        title,
        key_figures=key_figures,
        status=_summary_status(table, year),
        filters=f"{view.plan_name} · {view.territory_name} · {year} (dernière année complète)",
        footer=footer(conn, indicators, view.departement),
        notes_table=table,
        demo=_is_demo(tiles) or bool(table.attrs.get("demo")),
    )


def _summary_status(table: pd.DataFrame, year: int) -> str | None:
    if table.empty:
        return None
    counts = table["Statut"].value_counts()
    reached = int(counts.get("atteint", 0))
    return f"Objectifs {year} : {reached} sur {len(table)} remplis"


def _tendances(conn: Connection, view: ViewParams, title: str) -> Slide:
    catalogue = _catalogue(conn)
    requested = [c for c in (view.indicator or "assignations").split(",") if c in catalogue.index][:4] or ["assignations"]
    granularities = set(",".join(catalogue.loc[requested, "granularities"].astype(str)).split(","))
    granularity: Granularity = view.granularity if view.granularity.replace("rolling12", "month") in granularities else "year"
    series = queries.indicator_series(conn, indicators=requested, territories=[view.territory], period=view.period, granularity=granularity)
    labels = _labels(catalogue)
    names = {**labels, view.territory: view.territory_name}
    unit = " / ".join(sorted(set(catalogue.loc[requested, "unit"].astype(str))))
    plan_objectives = queries.plan_objectives(conn, plan=view.plan)
    objective = plan_objectives[plan_objectives["indicator_code"] == requested[0]].head(1)
    line: pd.DataFrame | None = None
    trajectory: pd.DataFrame | None = None
    if not objective.empty and view.territory == objective["territory_code"].iloc[0]:
        line, trajectory = objectives.objective_series(objective.iloc[0], view.period, granularity)
        line = line.assign(label=f"Objectif : {objective['label'].iloc[0]}") if not line.empty else None
        trajectory = trajectory if not trajectory.empty else None
    figure = (
        trend_figure(
            series,
            names=names,
            unit=unit,
            objective=line,
            trajectory=trajectory,
            events=queries.events(conn, departement=view.departement),
            presentation=True,
        )
        if not series.empty
        else None
    )
    first = series[series["indicator_code"] == requested[0]]
    key_figures = _last_and_change(first, labels[requested[0]].split(" (")[0], str(catalogue.at[requested[0], "unit"]))
    if not first.empty and catalogue.at[requested[0], "unit"] != "%":
        key_figures.append((f"Total {view.period.label()}", fr_number(float(first["value"].sum()))))
    filters = filters_text(view).replace(f"par {GRANULARITY_LABELS[view.granularity]}", f"par {GRANULARITY_LABELS[granularity]}")
    return Slide(
        title,
        figure=figure,
        key_figures=key_figures,
        status=objective_status_text(conn, view, requested[:1], labels),
        filters=filters,
        footer=footer(conn, requested, view.departement),
        notes_table=_series_table(series, names, granularity),
        demo=_is_demo(series),
    )


def _expulsions(conn: Connection, view: ViewParams, title: str) -> Slide:
    chain = queries.eviction_chain(conn, territory=view.territory, period=view.period)
    plan_objectives = queries.plan_objectives(conn, plan=view.plan)
    ratio = plan_objectives[(plan_objectives["indicator_code"] == "taux_cql_assignations") & (plan_objectives["kind"] == "ratio_max")]
    target = float(ratio["target_value"].iloc[0]) if not ratio.empty else None
    figure = chain_funnel(chain, objective_ratio=target, presentation=True) if not chain["value"].isna().all() else None
    values = chain.set_index("indicator_code")["value"]
    key_figures = [
        (label, fr_number(values.get(code)))
        for code, label in (("assignations", "Assignations"), ("expulsions_effectives", "Expulsions effectives"))
    ]
    if values.get("assignations") and pd.notna(values.get("expulsions_effectives")):
        key_figures.append(
            ("Expulsions pour 100 assignations", fr_number(100 * values["expulsions_effectives"] / values["assignations"], 1))
        )
    labels = _labels(_catalogue(conn))
    table = pd.DataFrame(
        {"Étape": chain["label"], "Valeur": chain["value"], "Taux depuis l'étape précédente (%)": chain["rate_from_previous"]}
    )
    return Slide(
        title,
        figure=figure,
        key_figures=key_figures,
        status=objective_status_text(conn, view, [*queries.EVICTION_CHAIN, "taux_cql_assignations"], labels),
        filters=filters_text(view, granularity=False),
        footer=footer(conn, list(queries.EVICTION_CHAIN), view.departement),
        notes_table=table,
        demo=_is_demo(chain),
    )


def _fsl(conn: Connection, view: ViewParams, title: str) -> Slide:
    households = [f"fsl_{t}_menages" for t in FSL_TYPES]
    yearly = queries.indicator_series(conn, indicators=households, territories=[view.territory], period=view.period, granularity="year")
    labels = _labels(_catalogue(conn))
    figure = aid_bars(yearly, names=labels, unit="ménages aidés", presentation=True) if not yearly.empty else None
    key_figures: list[tuple[str, str]] = []
    if not yearly.empty:
        totals = yearly.groupby("period_start")["value"].sum().sort_index()
        key_figures.append((f"Ménages aidés en {totals.index[-1].year}", fr_number(float(totals.iloc[-1]))))
        if len(totals) > 1 and totals.iloc[-2]:
            key_figures.append(("Évolution sur un an", fr_signed_percent(100 * (totals.iloc[-1] - totals.iloc[-2]) / totals.iloc[-2])))
        last = yearly[yearly["period_start"] == totals.index[-1]].sort_values("value", ascending=False).head(1)
        for row in last.itertuples():
            key_figures.append((f"Première aide : {labels[row.indicator_code].split(' :')[0]}", fr_number(float(row.value))))
    table = pd.DataFrame(
        {"Aide": yearly["indicator_code"].map(labels), "Année": [d.year for d in yearly["period_start"]], "Ménages aidés": yearly["value"]}
    )
    return Slide(
        title,
        figure=figure,
        key_figures=key_figures,
        status=objective_status_text(conn, view, households, labels),
        filters=filters_text(view).replace(f"par {GRANULARITY_LABELS[view.granularity]}", "par année"),
        footer=footer(conn, households, view.departement),
        notes_table=table,
        demo=_is_demo(yearly),
    )


def _mal_logement(conn: Connection, view: ViewParams, title: str) -> Slide:
    series = queries.indicator_series(
        conn, indicators=list(SIGNALEMENTS), territories=[view.territory], period=view.period, granularity="year"
    )
    labels = _labels(_catalogue(conn))
    names = {**labels, view.territory: view.territory_name}
    figure = trend_figure(series, names=names, unit="situations par an", presentation=True) if not series.empty else None
    key_figures: list[tuple[str, str]] = []
    for code in SIGNALEMENTS:
        own = series[series["indicator_code"] == code].dropna(subset=["value"]).sort_values("period_start")
        if not own.empty:
            key_figures.append(
                (f"{SHORT_NAMES[code].capitalize()} ({own['period_start'].iloc[-1].year})", fr_number(float(own["value"].iloc[-1])))
            )
    return Slide(
        title,
        figure=figure,
        key_figures=key_figures,
        status=objective_status_text(conn, view, list(SIGNALEMENTS), labels),
        filters=filters_text(view).replace(f"par {GRANULARITY_LABELS[view.granularity]}", "par année"),
        footer=footer(conn, list(SIGNALEMENTS), view.departement),
        notes_table=_series_table(series, names),
        demo=_is_demo(series),
    )


def level_map_or_ranking(
    conn: Connection, view: ViewParams, indicator: str, mode: str, period: Period, title: str
) -> tuple[go.Figure | None, pd.DataFrame, str]:
    """(choropleth — or a ranking bar when no boundaries are available offline —, level values, shown unit)."""
    catalogue = _catalogue(conn)
    unit = str(catalogue.at[indicator, "unit"])
    values = queries.level_values(conn, indicator=indicator, level=view.level, departement=view.departement, period=period)
    values = values.assign(per_inhabitants=values["value"] / values["population"].where(values["population"] > 0) * 1000)
    shown_unit = {"rate": "pour 1 000 ménages", "per_inhabitants": "pour 1 000 habitants"}.get(mode, unit)
    if values["value"].isna().all():
        return None, values, shown_unit
    reference = values.attrs[
        {"value": "departement_value", "rate": "departement_rate", "per_inhabitants": "departement_per_inhabitants"}[mode]
    ]
    label = str(catalogue.at[indicator, "label"])
    selected = None if view.is_departement else view.territory
    try:
        levels = load_levels(view.departement, queries.memberships(conn, departement=view.departement), allow_download=False)
        if view.level not in levels.layers:
            raise UserError(f"Pas de fond de carte au niveau « {view.level} ».")
        figure = choropleth(
            levels.layers[view.level],
            values,
            value_column=mode,
            unit=shown_unit if mode != "value" else (unit if unit in ("%", "€") else ""),
            title=title,
            indicator_label=label,
            selected=selected,
            departement_value=reference,
            departement_name=queries.territory_name(conn, code=view.departement),
            labels=view.level == "territoire",
            outline=levels.layers.get("departement") if view.level == "commune" else None,
        )
    except UserError:  # no boundaries offline (BoundariesUnavailable is a UserError): a ranking says the same
        column = "rate" if mode != "value" else "value"
        figure = ranking_bar(
            values.assign(rate=values[mode]) if mode == "per_inhabitants" else values,
            value_column=column,  # type: ignore[arg-type]
            unit=shown_unit,
            selected=selected,
            departement_value=reference,
            presentation=True,
        )
    return figure, values, shown_unit


def _comparer(conn: Connection, view: ViewParams, title: str) -> Slide:
    catalogue = _catalogue(conn)
    indicator = (view.indicator or "assignations").split(",")[0]
    indicator = indicator if indicator in catalogue.index else "assignations"
    is_ratio = isinstance(catalogue.at[indicator, "numerator_code"], str)
    mode = "value" if is_ratio else (view.mode if view.mode in MODES else "rate")
    figure, values, shown_unit = level_map_or_ranking(conn, view, indicator, mode, view.period, title)
    label = str(catalogue.at[indicator, "label"])
    key_figures: list[tuple[str, str]] = []
    ranked = values.dropna(subset=[mode]).sort_values(mode, ascending=False)
    decimals = 0 if mode == "value" and not is_ratio else 1
    reference = values.attrs.get(
        {"value": "departement_value", "rate": "departement_rate", "per_inhabitants": "departement_per_inhabitants"}[mode]
    )
    if reference is not None:
        key_figures.append((f"Département ({shown_unit})", fr_number(reference, decimals)))
    if not ranked.empty:
        key_figures.append((f"Le plus élevé : {ranked['name'].iloc[0]}", fr_number(float(ranked[mode].iloc[0]), decimals)))
        key_figures.append((f"Le plus bas : {ranked['name'].iloc[-1]}", fr_number(float(ranked[mode].iloc[-1]), decimals)))
    table = pd.DataFrame(
        {
            "Territoire": values["name"],
            label: values["value"],
            "Ménages": values["households"],
            "Pour 1 000 ménages": values["rate"],
            "Pour 1 000 habitants": values["per_inhabitants"],
            "Rang": values["rank"],
        }
    )
    return Slide(
        title,
        figure=figure,
        key_figures=key_figures,
        status=objective_status_text(conn, view, [indicator], _labels(catalogue)),
        filters=f"{filters_text(view, level=True, granularity=False)} · {MODES[mode]}",
        footer=footer(conn, [indicator, "menages"], view.departement),
        notes_table=table,
        demo=_is_demo(values),
    )


def _plan(conn: Connection, view: ViewParams, title: str) -> Slide:
    table = status_table(conn, view.plan, view.last_year, None if view.is_departement else view.territory)
    return Slide(
        title,
        key_figures=status_counts(table),
        status=_summary_status(table, view.last_year),
        filters=f"{view.plan_name} · {view.territory_name} · objectifs évalués pour {view.last_year}",
        footer=footer(
            conn, [c for c in queries.plan_objectives(conn, plan=view.plan)["indicator_code"].dropna().unique()], view.departement
        ),
        notes_table=table,
        demo=bool(table.attrs.get("demo")),
    )


BUILDERS = {
    "vue_ensemble": _vue_ensemble,
    "tendances": _tendances,
    "expulsions": _expulsions,
    "fsl": _fsl,
    "mal_logement": _mal_logement,
    "comparer": _comparer,
    "plan_action": _plan,
    "donnees_methodes": _plan,
}


def view_slide(
    conn: Connection, page: str, params: Mapping[str, str], *, title: str, note: str | None = None, plan: str | None = None
) -> Slide:
    """The slide of one dashboard view: the page's main figure for ``params`` and what frames it.

    Parameters
    ----------
    conn
        An open connection to the observatory database (read only).
    page
        One of ``data_access.seances.PAGES`` (``tendances``, ``comparer``…).
    params
        The view's URL parameters (``plan``, ``debut``, ``fin``, ``granularite``, ``niveau``,
        ``territoire``, ``indicateur``, ``affichage``); missing ones take the page's defaults.
    title
        The slide title (the view's title in the séance).
    note
        The view's note; written after the filters when it fits on their line.
    plan
        The séance's plan, used when ``params`` has none.

    Returns
    -------
    reporting.slides.Slide
        Figure built with ``presentation=True`` (None for ``vue_ensemble``, ``plan_action``,
        ``donnees_methodes`` and when there is no data), key figures, objective status, filters,
        footer, the figure's data with French headers, and ``demo``.

    Raises
    ------
    UserError
        Unknown page.

    Examples
    --------
    >>> slide = view_slide(conn, "tendances", {"indicateur": "assignations", "debut": "2021", "fin": "2025"},
    ...                    title="Assignations")  # doctest: +SKIP
    """
    if page not in BUILDERS:
        raise UserError(f"Page « {page} » inconnue : pages possibles : {', '.join(PAGES)}.")
    view = view_params(conn, params, plan=plan)
    slide = BUILDERS[page](conn, view, title)
    # The filters line holds one line of 20 pt: a short note joins it, a longer one stays in the séance.
    if isinstance(note, str) and note.strip() and len(slide.filters) + len(note) < NOTE_ROOM:
        return Slide(
            slide.title,
            figure=slide.figure,
            key_figures=slide.key_figures,
            status=slide.status,
            filters=f"{slide.filters} — {note.strip()}",
            footer=slide.footer,
            notes_table=slide.notes_table,
            demo=slide.demo,
        )
    return slide
