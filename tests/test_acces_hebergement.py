"""Accès et hébergement (issue 20): the catalogue's 115 / SIAO, DALO, social-housing and energy
indicators with their official sources, their demo data (labelled, a part never above its whole,
every level), the page's charts (a stock never summed over years, shares recomputed from sums) and
a partner's file imported in the generic formats replacing the demo series it covers."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Connection, select

from data_access.importers import ImportOptions, apply_import, prepare_import
from data_access.models import Indicator
from data_access.periods import Period
from data_access.vocabulary import Granularity, Page
from views import acces_hebergement, params, registry
from views.loader import DatabaseLoader
from views.model import View

ISERE, SARTHE = "isere-palhdi-2014-2020", "sarthe-pdalpd-2008-2012"
SOURCES = {"SI-SIAO", "InfoDALO", "SNE", "Préfecture", "Médiateur national de l'énergie"}
FAMILY_SOURCES = {
    "acces-115": "SI-SIAO",
    "acces-siao": "SI-SIAO",
    "acces-places": "SI-SIAO",
    "acces-sorties": "SI-SIAO",
    "acces-dalo": "InfoDALO",
    "acces-logement-social": "SNE",
    "acces-energie": "Médiateur national de l'énergie",
}


def _view(conn: Connection, **query: str) -> View:
    loader = DatabaseLoader(conn)
    parsed = params.parse(query, loader)
    assert not parsed.notices, parsed.notices
    return registry.build_view(Page.ACCES_HEBERGEMENT, parsed.params, loader)


def _theme(conn: Connection) -> pd.DataFrame:
    rows = conn.execute(
        select(Indicator.code, Indicator.source, Indicator.numerator_code, Indicator.denominator_code).where(
            Indicator.theme == "acces_hebergement"
        )
    ).all()
    return pd.DataFrame(rows, columns=["code", "source", "numerator", "denominator"])


def test_the_page_draws_every_indicator_of_its_theme_and_names_its_official_source(conn: Connection) -> None:
    theme = _theme(conn)
    assert set(acces_hebergement.CODES) | set(acces_hebergement.SHARES) == set(theme["code"])
    for source in theme["source"]:
        assert any(name in source for name in SOURCES), source
    view = _view(conn, plan=ISERE)
    assert [chart.key for chart in view.charts()] == list(FAMILY_SOURCES)
    for chart in view.charts():
        assert FAMILY_SOURCES[chart.key] in chart.source, (chart.key, chart.source)
        assert chart.figure is not None and chart.demo
    assert view.demo and view.demo_notice == "Données fictives de démonstration"


@pytest.mark.parametrize("plan", [ISERE, SARTHE])
def test_demo_parts_never_exceed_their_whole_at_any_level(conn: Connection, plan: str) -> None:
    loader = DatabaseLoader(conn)
    departement = str(loader.plans().set_index("code").at[plan, "departement_code"])
    theme = _theme(conn).dropna(subset=["numerator"])
    places = [
        departement,
        *loader.territories(departement, "territoire")["code"].head(3),
        *loader.territories(departement, "epci")["code"].head(3),
    ]
    series = loader.indicator_series(
        tuple(theme["numerator"]) + tuple(theme["denominator"]), tuple(places), Period.years(2008, 2025), Granularity.YEAR.value
    )
    table = series.pivot_table(index=["territory_code", "period_start"], columns="indicator_code", values="value")
    assert set(places) <= set(table.index.get_level_values("territory_code"))  # every level has values
    for numerator, denominator in zip(theme["numerator"], theme["denominator"], strict=True):
        assert (table[numerator] <= table[denominator]).all(), (numerator, denominator)


def test_places_are_a_stock_each_year_never_a_sum_of_years(conn: Connection) -> None:
    view = _view(conn, plan=ISERE, debut="2014", fin="2020")
    places = next(chart for chart in view.charts() if chart.key == "acces-places")
    assert list(places.data["Année"]) == [str(year) for year in range(2014, 2021)]  # one value a year
    assert places.note is not None and "non cumulable" in places.note
    last = float(places.data["Valeur"].iloc[-1])
    assert places.key_figure is not None and places.key_figure.label.endswith("(2020)")
    assert places.key_figure.value.replace("\u202f", "") == f"{last:.0f}"  # the last year's, not the period's total


def test_shares_are_recomputed_from_the_summed_counts(conn: Connection) -> None:
    view = _view(conn, plan=ISERE, debut="2014", fin="2020", niveau="territoire", territoire="trieves")
    requests = next(chart for chart in view.charts() if chart.key == "acces-115").data.set_index(["Indicateur", "Année"])["Valeur"]
    labels = DatabaseLoader(conn).indicator_catalogue().set_index("code")["label"]
    share = 100 * requests[(labels["demandes_115_non_pourvues"], "2020")] / requests[(labels["demandes_115"], "2020")]
    figure = next(chart for chart in view.charts() if chart.key == "acces-115").key_figure
    assert figure is not None and figure.label.startswith("Part des demandes au 115 non pourvues (2020)")
    assert figure.value == f"{share:.1f}".replace(".", ",") + "\u202f%"
    departement = _view(conn, plan=ISERE, debut="2014", fin="2020")
    shares = [chart.key_figure.label.split(" (")[0] for chart in departement.charts() if chart.key_figure is not None]
    assert [label for label in shares if label.startswith(("Part", "Taux"))] == [labels[code] for code in acces_hebergement.SHARES]
    assert departement.key_figures == (next(departement.charts()).key_figure,)  # the first slide frames the 115 chart


def test_a_siao_file_replaces_the_demo_series_it_covers(conn: Connection) -> None:
    """A partner's yearly table in the wide format (one row per indicator, one column per year) at
    the département: its series become real, the page says so on their chart only."""
    data = b"indicateur;2022;2023;2024\ndemandes_115;41200;43900;45100\ndemandes_115_non_pourvues;24100;26800;27300\n"
    options = ImportOptions(format="wide", territory="38", indicator_column="indicateur", source="SI-SIAO, extraction DDETS")
    preview = prepare_import(conn, data, "siao-2024.csv", options)
    assert preview.error_lines == 0, preview.issues
    apply_import(conn, preview, user_name="test")
    view = _view(conn, plan=ISERE, debut="2022", fin="2024")
    charts = {chart.key: chart for chart in view.charts()}
    # regression: a chart sliced from a query holding demo series too said « Données fictives »
    assert not charts["acces-115"].demo and charts["acces-siao"].demo
    assert list(charts["acces-115"].data["Valeur"]) == [41200, 43900, 45100, 24100, 26800, 27300]
    assert charts["acces-115"].key_figure is not None and charts["acces-115"].key_figure.value == "60,5\u202f%"  # 27 300 / 45 100
    assert charts["acces-115"].source.startswith("Source : SI-SIAO") and "Mise à jour : " in charts["acces-115"].source


def test_a_stock_is_never_added_up_on_comparer_nor_tendances(conn: Connection) -> None:
    """Places au 31 décembre over 2014–2020: Comparer maps 2020 and says why, offers no total;
    Tendances gives no « Total 2014–2020 » (seven stocks added up)."""
    loader = DatabaseLoader(conn)
    compared = registry.build_view(
        Page.COMPARER,
        params.parse(
            {"plan": ISERE, "indicateur": "places_hebergement", "debut": "2014", "fin": "2020", "affichage": "value", "cumul": "1"}, loader
        ).params,
        loader,
    )
    shown = next(compared.charts())
    assert "2020" in shown.title and "2014" not in shown.title and "total" not in shown.title
    assert shown.note is not None and "stock au 31 décembre" in shown.note
    last_year = loader.level_values("places_hebergement", "territoire", "38", Period.years(2020))
    assert compared.key_figures[0].value.replace("\u202f", "") == f"{last_year.attrs['departement_value']:.0f}"
    trends = registry.build_view(
        Page.TENDANCES,
        params.parse({"plan": ISERE, "indicateur": "places_hebergement", "debut": "2014", "fin": "2020"}, loader).params,
        loader,
    )
    assert trends.key_figures and not any(figure.label.startswith("Total") for figure in trends.key_figures)
    stocks = set(loader.indicator_catalogue().query("stock")["code"])
    assert {"places_hebergement", "referents_territoriaux"} <= stocks
