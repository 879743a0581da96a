"""One colour per thing (issue 17): the palette registry read by every figure, screen and export
alike; dashes between indicators; gaps drawn as gaps; trêve bands only where they mean something;
axes that are the chosen period; and the tables of Mal-logement and « Données et méthodes » in words.

Pure figure tests on hand-made frames first, then the pages on the demo database (``conn``)."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from data_access.aggregation import SERIES_COLUMNS
from data_access.queries import CHAIN_COLUMNS, EVICTION_CHAIN
from data_access.vocabulary import Page
from figures import aids, chain, trends
from figures.events import TREVE_INDICATORS
from figures.lines import with_gaps
from figures.palette import (
    AID_COLOURS,
    INDICATOR_COLOURS,
    INDICATOR_DASHES,
    OKABE_ITO,
    ROLE_COLOURS,
    aid_type,
    colour_for,
    lightness_contrast,
)
from figures.theme import distinct_colours
from reporting.tables import as_shown, formatted_table
from reporting.view_slides import slides_of
from views import fsl, mal_logement, params, registry, tendances
from views.loader import DatabaseLoader
from views.model import View

ISERE = "isere-palhdi-2014-2020"
NAMES = {
    "38": "Isère",
    "FR": "France",
    "oisans": "Oisans",
    "trieves": "Trièves",
    "assignations": "Assignations",
    "cql": "Commandements de quitter les lieux",
    "signalements_insalubrite": "Signalements d'insalubrité",
}


def frame(indicator: str, territory: str, days: list[dt.date], values: list[float] | None = None) -> pd.DataFrame:
    values = values if values is not None else [100.0 + i for i in range(len(days))]
    return pd.DataFrame(
        [(indicator, territory, day, value, True, False) for day, value in zip(days, values, strict=True)], columns=SERIES_COLUMNS
    )


def years(first: int, last: int, *, without: tuple[int, ...] = ()) -> list[dt.date]:
    return [dt.date(y, 1, 1) for y in range(first, last + 1) if y not in without]


def months(first: dt.date, count: int) -> list[dt.date]:
    return [dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1) for i in range(count)]


def lines(fig: go.Figure) -> list[go.Scatter]:
    """The traces that draw a series (named, solid part), not the legend-only entries nor the zones."""
    return [t for t in fig.data if t.type == "scatter" and t.mode and "lines" in t.mode and t.x and t.x[0] is not None and not t.fill]


def treve_bands(fig: go.Figure) -> list:
    return [shape for shape in fig.layout.shapes if shape.name == "treve"]


def build(loader: DatabaseLoader, page: Page, **query: str) -> View:
    parsed = params.parse(query, loader)
    assert not parsed.notices, parsed.notices
    return registry.build_view(page, parsed.params, loader)


# --- the registry ----------------------------------------------------------------------------------


def test_the_registry_is_okabe_ito_and_names_every_role() -> None:
    assert set(ROLE_COLOURS) == {"selected", "departement", "france", "objective"}
    assert set(AID_COLOURS.values()) <= set(OKABE_ITO)
    assert set(INDICATOR_COLOURS.values()) <= set(OKABE_ITO)
    assert len(set(AID_COLOURS.values())) == len(AID_COLOURS)  # five aid types, five colours
    assert ROLE_COLOURS["objective"] not in set(OKABE_ITO)  # never an indicator's or a territory's colour


@pytest.mark.parametrize(("first", "second"), [("selected", "france"), ("departement", "france"), ("selected", "departement")])
def test_territory_roles_are_distinct_in_colour_and_in_grey(first: str, second: str) -> None:
    a, b = ROLE_COLOURS[first], ROLE_COLOURS[second]
    assert a != b
    # apart in lightness too: told apart on a black-and-white print or without colour vision
    assert lightness_contrast(a, b) >= 2.0, (first, second, lightness_contrast(a, b))


def test_france_is_not_a_grey() -> None:
    red, green, blue = (int(ROLE_COLOURS["france"][i : i + 2], 16) for i in (1, 3, 5))
    assert max(red, green, blue) - min(red, green, blue) > 100  # a saturated colour, not black vs dark grey


@pytest.mark.parametrize(
    ("code", "aid"),
    [
        ("fsl_energie_menages", "energie"),
        ("fsl_energie_montant", "energie"),
        ("fsl_energie_montant_moyen", "energie"),
        ("fsl_demandes_energie", "energie"),
        ("fsl_energie", "energie"),
        ("fsl_acces_menages", "acces"),
        ("fsl_demandes_charges_courantes", None),
        ("assignations", None),
    ],
)
def test_an_aid_type_is_read_from_any_of_its_codes(code: str, aid: str | None) -> None:
    assert aid_type(code) == aid
    if aid is not None:
        assert colour_for(code) == AID_COLOURS[aid]


def test_role_keys_take_their_colour_before_any_other_line() -> None:
    # a territory drawn first whose own colour is the selected one's gives it up
    clashing = next(code for code in (f"territoire-{i}" for i in range(200)) if colour_for(code) == ROLE_COLOURS["selected"])
    colours = distinct_colours([clashing, "38", "FR"], {"38": "selected", "FR": "france"})
    assert colours["38"] == ROLE_COLOURS["selected"] and colours["FR"] == ROLE_COLOURS["france"]
    assert colours[clashing] not in (ROLE_COLOURS["selected"], ROLE_COLOURS["france"])
    assert list(colours) == [clashing, "38", "FR"]


# --- figures ---------------------------------------------------------------------------------------


def test_aid_bars_keep_each_types_colour_in_both_panels_whatever_the_stack_order() -> None:
    days = years(2020, 2022)
    rows = pd.concat(
        [
            # energy first by households, last by amounts: the stacks are ordered differently
            frame("fsl_energie_menages", "38", days, [900.0] * 3),
            frame("fsl_acces_menages", "38", days, [100.0] * 3),
            frame("fsl_energie_montant", "38", days, [1e4] * 3),
            frame("fsl_acces_montant", "38", days, [9e5] * 3),
        ]
    )
    fig = aids.aid_bars(rows, names={"fsl_energie": "Énergie", "fsl_acces": "Accès"})
    bars = [t for t in fig.data if t.type == "bar"]
    assert {(t.name, t.marker.color) for t in bars} == {("Énergie", AID_COLOURS["energie"]), ("Accès", AID_COLOURS["acces"])}
    averages = trends.trend_figure(frame("fsl_energie_montant_moyen", "38", days), names={"38": "Isère"}, unit="€")
    assert lines(averages)[0].line.color == AID_COLOURS["energie"]


def test_two_indicators_of_one_territory_differ_by_dash_and_colour() -> None:
    days = years(2014, 2020)
    fig = trends.trend_figure(pd.concat([frame("assignations", "38", days), frame("cql", "38", days)]), names=NAMES, unit="procédures")
    first, second = lines(fig)
    assert first.line.dash != second.line.dash
    assert first.line.color != second.line.color
    assert first.line.dash == INDICATOR_DASHES[0] == "solid"


def test_several_indicators_and_territories_colour_the_territory_and_dash_the_indicator() -> None:
    days = years(2014, 2020)
    rows = pd.concat([frame(i, t, days) for i in ("assignations", "cql") for t in ("38", "FR")])
    fig = trends.trend_figure(rows, names=NAMES, unit="procédures", roles={"38": "selected", "FR": "france"})
    style = {t.name: (t.line.color, t.line.dash) for t in lines(fig)}
    assert style["Assignations — Isère"][0] == style["Commandements de quitter les lieux — Isère"][0] == ROLE_COLOURS["selected"]
    assert style["Assignations — France"][0] == ROLE_COLOURS["france"]
    assert style["Assignations — Isère"][1] != style["Commandements de quitter les lieux — Isère"][1]
    assert style["Assignations — Isère"][1] == style["Assignations — France"][1]


def test_one_indicator_is_drawn_solid() -> None:
    fig = trends.trend_figure(frame("assignations", "38", years(2014, 2020)), names=NAMES, unit="assignations")
    assert lines(fig)[0].line.dash in (None, "solid")


def test_isere_and_france_in_the_index_chart_are_clearly_distinct() -> None:
    days = years(2014, 2020)
    rows = pd.concat([frame("expulsions_effectives", "38", days), frame("expulsions_effectives", "FR", days, [1e4 + i for i in range(7)])])
    fig = trends.index_figure(rows, names=NAMES, base_year=2014, roles={"38": "selected", "FR": "france"})
    colours = {t.name: t.line.color for t in lines(fig)}
    assert colours == {"Isère": ROLE_COLOURS["selected"], "France": ROLE_COLOURS["france"]}
    assert lightness_contrast(colours["Isère"], colours["France"]) >= 2.0


def test_a_missing_year_is_a_break_in_the_line() -> None:
    fig = trends.trend_figure(frame("expulsions_effectives", "FR", years(2014, 2020, without=(2017,))), names=NAMES, unit="expulsions")
    (line,) = lines(fig)
    assert line.connectgaps is False
    assert list(line.x) == [f"{y}-07-01" for y in range(2014, 2021)]  # the missing year is on the axis…
    assert np.isnan(line.y[3]) and np.isfinite(np.delete(np.asarray(line.y, float), 3)).all()  # …as a NaN: no straight stretch


def test_a_missing_month_is_a_break_and_a_lone_point_keeps_its_marker() -> None:
    days = [d for d in months(dt.date(2020, 1, 1), 48) if d not in (dt.date(2021, 5, 1), dt.date(2021, 7, 1))]
    fig = trends.trend_figure(frame("assignations", "38", days), names=NAMES, unit="assignations", treve=False)
    (line,) = lines(fig)
    y = np.asarray(line.y, float)
    assert np.isnan(y).sum() == 2
    sizes = np.asarray(line.marker.size)  # 48 points: a line without markers, but June 2021 stands alone between two gaps
    assert sizes[17] > 0 and (np.delete(sizes, 17) == 0).all()


def test_with_gaps_leaves_a_complete_line_alone() -> None:
    rows = frame("assignations", "38", years(2014, 2020))
    assert with_gaps(rows, "year") is rows


@pytest.mark.parametrize(
    ("indicator", "expected"),
    [("assignations", True), ("expulsions_effectives", True), ("cfp_accordes", True), ("signalements_insalubrite", False)],
)
def test_treve_bands_only_on_eviction_charts(indicator: str, expected: bool) -> None:
    fig = trends.trend_figure(frame(indicator, "38", months(dt.date(2023, 1, 1), 24)), names=NAMES, unit="cas")
    assert bool(treve_bands(fig)) == expected
    assert any(t.name and t.name.startswith("Trêve hivernale") for t in fig.data) == expected


def test_no_treve_band_on_an_fsl_chart() -> None:
    fig = trends.trend_figure(frame("fsl_energie_menages", "38", months(dt.date(2023, 1, 1), 24)), names=NAMES, unit="ménages")
    assert treve_bands(fig) == []
    assert not TREVE_INDICATORS & {code for code in fsl.HOUSEHOLDS + fsl.AMOUNTS + fsl.AVERAGES + fsl.REQUESTS}


def test_the_x_axis_is_the_chosen_period_and_a_reference_outside_it_is_not_drawn() -> None:
    series = frame("assignations", "38", years(2016, 2020))
    reference = pd.DataFrame(
        {
            "indicator_code": "assignations",
            "territory_code": "38",
            "period_start": [dt.date(2018, 1, 1), dt.date(2022, 1, 1)],
            "value": [2500.0, 2696.0],
            "approx": False,
            "source": ["Publication A", "Un Toit Pour Tous, La Lettre n°5"],
        }
    )
    objective = pd.DataFrame({"period_start": years(2014, 2024), "value": 120.0, "label": "Objectif : 120"})
    period = (dt.date(2016, 1, 1), dt.date(2021, 1, 1))
    fig = trends.trend_figure(series, names=NAMES, unit="assignations", reference=reference, objective=objective, period=period)
    assert tuple(fig.layout.xaxis.range) == ("2016-01-01", "2021-01-01")
    drawn = [x for t in fig.data if t.x for x in t.x if x is not None]
    assert all("2016-01-01" <= x <= "2021-01-01" for x in drawn), sorted(drawn)
    (diamonds,) = [t for t in fig.data if t.name and t.name.startswith("Repère publié")]
    assert list(diamonds.x) == ["2018-07-01"]
    shown = trends.drawn_reference(reference, series, period=period)
    assert list(shown["source"]) == ["Publication A"]


def test_the_funnel_stages_keep_the_indicators_colours() -> None:
    rows = pd.DataFrame(
        {
            "stage": range(1, 6),
            "indicator_code": list(EVICTION_CHAIN),
            "label": list(EVICTION_CHAIN),
            "value": [1000.0, 600.0, 300.0, 200.0, 100.0],
            "rate_from_previous": [np.nan, 60.0, 50.0, 66.7, 50.0],
            "demo": False,
        }
    )[CHAIN_COLUMNS]
    fig = chain.chain_funnel(rows)
    assert list(fig.data[0].marker.color) == [INDICATOR_COLOURS[code] for code in EVICTION_CHAIN]


def test_publishers_credit_each_source_once() -> None:
    sources = [
        "Ministère de la Justice, cité par Fondation Abbé Pierre, rapport 2011, tableau 22",
        "Ministère de la Justice, cité par Fondation Abbé Pierre, rapport sur l'état du mal-logement 2011, tableau 22",
        "Cour des comptes, ordre de grandeur ('un peu plus de 16 000') ; autre estimation publiée : 16 700",
    ]
    assert tendances.publishers(sources) == "Ministère de la Justice, Cour des comptes"
    line = "Source : Préfecture (EXPLOC) · Mise à jour : 01/12/2026"
    assert (
        tendances.credited(line, own="Isère", extra=["France : Cour des comptes"])
        == "Source : Préfecture (EXPLOC) pour Isère ; France : Cour des comptes · Mise à jour : 01/12/2026"
    )


def test_the_chain_table_is_in_chain_order_with_french_numbers() -> None:
    labels = {code: code.replace("_", " ") for code in mal_logement.TREATMENT}
    values = pd.Series(
        {"logements_sortis_indignite": 245.0, "arretes_insalubrite": 20.3, "menages_reperes": 2895.0, "decisions_travaux": 700.0}
    )
    table = mal_logement.treatment_table(values, labels)
    assert list(table["Étape"]) == [labels[c] for c in mal_logement.TREATMENT if c in values.index]
    printed = formatted_table(table)
    assert list(printed["Valeur"]) == ["2\u202f895", "700", "20", "245"]
    assert list(printed["Pour 100 ménages repérés"]) == ["100,0", "24,2", "0,7", "8,5"]
    assert list(as_shown(table)["Valeur"]) == [2895, 700, 20, 245]


# --- the pages on the demo database ---------------------------------------------------------------


def _aid_colours(figure: go.Figure) -> dict[str, str]:
    """Aid type → colour of every bar of ``figure`` (grouped by aid type, households and amounts)."""
    found: dict[str, set[str]] = {}
    for trace in figure.data:
        aid = aid_type(str(trace.legendgroup)) if trace.type == "bar" and trace.legendgroup else None
        if aid is not None:
            found.setdefault(aid, set()).add(str(trace.marker.color))
    assert all(len(colours) == 1 for colours in found.values()), found
    return {aid: colours.pop() for aid, colours in found.items()}


@pytest.mark.parametrize("presentation", [False, True])
def test_every_fsl_figure_and_its_export_gives_an_aid_type_one_colour(conn, presentation: bool) -> None:
    loader = DatabaseLoader(conn)
    query = {"plan": ISERE, "debut": "2014", "fin": "2020", **({"presentation": "1"} if presentation else {})}
    view = build(loader, Page.FSL, **query)
    charts = {chart.key: chart for chart in view.charts() if chart.figure is not None}
    assert {"fsl-menages", "fsl-montants", "fsl-montant-moyen", "fsl-demandes-energie"} <= set(charts)
    seen: dict[str, set[str]] = {}
    for key in ("fsl-menages", "fsl-montants"):
        for aid, colour in _aid_colours(charts[key].figure).items():
            seen.setdefault(aid, set()).add(colour)
    # the averages: one line per aid type, named after its indicator (the one territory drawn)
    labels = {str(label): str(code) for code, label in loader.indicator_catalogue().set_index("code")["label"].items()}
    for trace in lines(charts["fsl-montant-moyen"].figure):
        seen.setdefault(str(aid_type(labels[trace.name])), set()).add(trace.line.color)
    (energy_requests,) = [t for t in lines(charts["fsl-demandes-energie"].figure) if t.name == "Isère"]
    seen.setdefault("energie", set()).add(energy_requests.line.color)
    assert set(seen) == set(AID_COLOURS)
    assert {aid: colours for aid, colours in seen.items()} == {aid: {colour} for aid, colour in AID_COLOURS.items()}
    # the export draws the very same figures: one slide per chart, each with its chart's figure
    slides = slides_of(view, title="Aides du FSL")
    exported = [slide.figure for slide in slides if slide.figure is not None]
    assert [id(f) for f in exported] == [id(chart.figure) for chart in view.charts() if chart.figure is not None]
    for slide in slides:
        if slide.figure is not None and any(t.type == "bar" for t in slide.figure.data):
            assert _aid_colours(slide.figure) == {aid: AID_COLOURS[aid] for aid in _aid_colours(slide.figure)}


@pytest.mark.parametrize("page", [Page.FSL, Page.MAL_LOGEMENT])
def test_no_treve_band_on_fsl_and_mal_logement_pages(conn, page: Page) -> None:
    view = build(DatabaseLoader(conn), page, plan=ISERE, debut="2014", fin="2020")
    for chart in view.charts():
        if chart.figure is not None:
            assert treve_bands(chart.figure) == [], chart.key
            assert not any(t.name and str(t.name).startswith("Trêve") for t in chart.figure.data), chart.key


def test_tendances_shades_the_treve_on_assignations_not_on_insalubrite(conn) -> None:
    loader = DatabaseLoader(conn)
    monthly = {"plan": ISERE, "debut": "2016", "fin": "2018", "granularite": "mois"}
    evictions = build(loader, Page.TENDANCES, indicateur="assignations", **monthly).main_chart
    housing = build(loader, Page.TENDANCES, indicateur="signalements_insalubrite", **monthly).main_chart
    assert evictions is not None and housing is not None
    assert treve_bands(evictions.figure) and "trêve hivernale" in (evictions.note or "")
    assert treve_bands(housing.figure) == [] and "trêve" not in (housing.note or "")


@pytest.mark.parametrize("page", [Page.TENDANCES, Page.EXPULSIONS, Page.FSL, Page.MAL_LOGEMENT])
def test_every_time_axis_is_the_chosen_period(conn, page: Page) -> None:
    # 2016–2020: the published 2022 and 2014 Isère figures, the plan's 2014–2015 objectives, lie outside
    view = build(DatabaseLoader(conn), page, plan=ISERE, debut="2016", fin="2020", indicateur="assignations,decisions_expulsion")
    checked = 0
    for chart in view.charts():
        axis = chart.figure.layout.xaxis if chart.figure is not None else None
        if axis is None or axis.type == "category" or not axis.range or not isinstance(axis.range[0], str):
            continue
        assert tuple(axis.range) == ("2016-01-01", "2021-01-01"), chart.key
        drawn = [x for trace in chart.figure.data if trace.x is not None for x in trace.x if isinstance(x, str)]
        assert all("2016-01-01" <= x <= "2021-01-01" for x in drawn), (chart.key, min(drawn), max(drawn))
        checked += 1
    assert checked


def test_the_france_index_credits_frances_own_sources_and_breaks_on_its_gaps(conn) -> None:
    loader = DatabaseLoader(conn)
    view = build(loader, Page.TENDANCES, plan=ISERE, debut="2008", fin="2024", indicateur="expulsions_effectives")
    index = next(chart for chart in view.charts() if chart.key == "index-france")
    catalogue_source = str(loader.indicator_catalogue().set_index("code").at["expulsions_effectives", "source"])
    published = loader.reference_points(("expulsions_effectives",), ("FR",))
    assert f"{catalogue_source} pour Isère ; France : " in index.source
    assert tendances.publishers(published["source"]).split(", ")[0] in index.source
    france = index.data[index.data["Territoire"] == "France"]
    assert set(france["Source"]) <= set(published["source"])
    assert set(index.data.loc[index.data["Territoire"] == "Isère", "Source"]) == {catalogue_source}
    colours = {t.name: t.line.color for t in lines(index.figure)}
    assert colours == {"Isère": ROLE_COLOURS["selected"], "France": ROLE_COLOURS["france"]}
    (france_line,) = [t for t in lines(index.figure) if t.name == "France"]
    years_drawn = {int(x[:4]) for x, y in zip(france_line.x, france_line.y, strict=True) if np.isfinite(y)}
    missing = set(range(min(years_drawn), max(years_drawn) + 1)) - years_drawn
    assert missing, "the demo's national series has gaps"
    assert all(np.isnan(y) for x, y in zip(france_line.x, france_line.y, strict=True) if int(x[:4]) in missing)


def test_the_mal_logement_chain_table_has_its_order_numbers_source_and_demo_flag(conn) -> None:
    loader = DatabaseLoader(conn)
    view = build(loader, Page.MAL_LOGEMENT, plan=ISERE, debut="2014", fin="2020")
    (table,) = [t for t in view.tables() if t.key == "ml-traitement"]
    labels = loader.indicator_catalogue().set_index("code")["label"]
    assert list(table.data["Étape"]) == [labels[c] for c in mal_logement.TREATMENT]
    assert str(table.data["Valeur"].dtype) == "Int64"
    printed = formatted_table(table.data)
    assert all(re.fullmatch(r"\d{1,3}(\u202f\d{3})*", value) for value in printed["Valeur"])
    assert all(re.fullmatch(r"\d+,\d", value) for value in printed["Pour 100 ménages repérés"])
    assert table.demo
    assert table.caption and "Source : " in table.caption and "Mise à jour : " in table.caption


def test_donnees_et_methodes_in_words(conn) -> None:
    view = build(DatabaseLoader(conn), Page.DONNEES_METHODES, plan=ISERE)
    tables = {table.key: table.data for table in view.tables()}
    history = tables["historique-des-chargements"]
    assert set(history["Nature"]) <= {"démonstration", "référence", "import"}
    assert all(re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", moment) for moment in history["Importé le"])
    assert str(history["Valeurs"].dtype) == "Int64"
    assert all(re.fullmatch(r"\d{1,3}(\u202f\d{3})*", value) for value in formatted_table(history)["Valeurs"])
    dictionary = tables["dictionnaire-indicateurs"]
    assert not {"expulsions", "fsl", "mal_logement", "acces_hebergement", "pilotage", "contexte"} & set(dictionary["Thème"])
    ratios = [value for value in dictionary["Ratio de"] if value]
    assert ratios and not any(re.search(r"\b[a-z]+_[a-z_]+\b", value) for value in ratios), ratios[:3]
