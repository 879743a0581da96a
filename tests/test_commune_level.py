"""The Comparer page at commune level (issue 17): a readable ranking with the full list as a table,
small numbers not turned into rates, classes with round contiguous bounds shared by the map, its
legend and the ranking, rare indicators per 10 000, yearly averages over a period, and an
objective-gap axis that stops at −100 %. On the SQLite demo database, through the real views."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from figures.ranking import GAP_MARK, gap_to_objective_bar
from geo.classes import SMALL_LABEL, sequential_classes
from tests import conftest
from views import params as view_params
from views.comparer import TOTAL_LABEL
from views.loader import DatabaseLoader
from views.model import Chart, Table, View
from views.registry import build_view

ISERE = "isere-palhdi-2014-2020"
GRENOBLE = "38185"
BASE = {"plan": ISERE, "niveau": "commune", "indicateur": "assignations", "debut": "2021", "fin": "2025"}
NOTE = "Taux non calculé pour les communes de moins de 100 ménages ou de moins de 5 cas sur la période (effectif trop faible)"
NUMBER = r"(?:\d{1,3}(?:\u202f\d{3})*)(?:,\d)?"  # « 1 200 », « 4,5 »: one decimal at most


@pytest.fixture
def loader(conn):
    return DatabaseLoader(conn)


def comparer(loader: DatabaseLoader, **query: str) -> View:
    params = view_params.parse({**BASE, **query}, loader).params
    return build_view("comparer", params, loader)


def chart(view: View, key: str) -> Chart:
    return next(c for c in view.charts() if c.key == key)


def full_table(view: View) -> Table:
    return next(b for b in view.blocks if isinstance(b, Table) and b.key == "classement-complet")


def bars(figure) -> list[str]:
    """The names of the ranking's bars (not the « ⋯ 310 autres communes ⋯ » lines)."""
    return [str(name) for name in figure.data[0].y if not str(name).startswith(GAP_MARK)]


def map_classes(figure) -> list:
    return [t for t in figure.data if t.type == "choropleth" and t.name not in ("Pas de données",) and not t.name.startswith(SMALL_LABEL)]


# --- the ranking: top and bottom 15, the selected commune, the full list as a table -------------------


@pytest.mark.parametrize("territory", [GRENOBLE, "38"])
def test_the_commune_ranking_draws_at_most_31_bars_and_the_table_lists_every_commune(loader, territory):
    view = comparer(loader, territoire=territory)
    ranking = chart(view, "ranking")
    drawn = bars(ranking.figure)
    communes = loader.territories("38", "commune")
    assert len(drawn) <= 31 if territory == GRENOBLE else len(drawn) <= 30
    assert len(ranking.data) == len(drawn)  # the chart's data is what it draws
    table = full_table(view)
    assert len(table.data) == len(communes) and set(table.data["Territoire"]) == set(communes["name"])
    assert any(str(name).startswith(GAP_MARK) and "autres communes" in str(name) for name in ranking.figure.data[0].y)
    assert ranking.figure.layout.height < 1600  # 19 962 px for 521 bars before
    if territory == GRENOBLE:
        assert "Grenoble" in drawn and "<b>Grenoble</b>" in ranking.figure.layout.yaxis.ticktext
        assert "et Grenoble à son rang" in (ranking.note or "")


def test_the_table_is_ranked_and_its_first_rows_are_the_top_of_the_ranking(loader):
    view = comparer(loader)
    table = full_table(view).data
    rank = "Rang (pour 1 000 ménages)"
    ranked = table.dropna(subset=[rank])
    assert list(ranked[rank]) == sorted(ranked[rank])  # sorted by rank, those without a rate last
    assert table[rank].isna().sum() == len(table) - len(ranked) and table.tail(1)[rank].isna().all()
    top = bars(chart(view, "ranking").figure)[::-1][:15]  # Plotly's first bar is at the bottom
    assert set(top) == set(ranked["Territoire"].head(15))


# --- small numbers ----------------------------------------------------------------------------------


def test_a_commune_under_the_thresholds_has_no_rate_and_the_note_says_so(loader):
    values = loader.level_values("assignations", "commune", "38", view_params.Period.years(2021, 2025))
    tiny = values[(values["households"] < 100) & values["value"].notna()].iloc[0]
    few = values[(values["households"] >= 100) & (values["value"] < 5)].iloc[0]
    view = comparer(loader)
    table = full_table(view).data.set_index("Territoire")
    for name in (tiny["name"], few["name"]):
        assert pd.isna(table.at[name, "Pour 1 000 ménages"]) and pd.isna(table.at[name, "Rang (pour 1 000 ménages)"])
        assert table.at[name, "Remarque"] == "effectif trop faible"
    assert tiny["rate"] > 0 and not pd.isna(table.at[tiny["name"], "Ménages"])  # a rate the query computed, not shown
    ranking = chart(view, "ranking")
    assert tiny["name"] not in bars(ranking.figure) and few["name"] not in bars(ranking.figure)
    assert NOTE in ranking.note and NOTE in chart(view, "map").note and NOTE in (full_table(view).caption or "")
    highest = [figure for figure in view.key_figures if figure.label.startswith("Le plus élevé")][0]
    assert float(highest.value.replace(",", ".")) < 20  # 133 ‰ from one household before


def test_the_map_draws_small_numbers_apart_with_the_rule_in_its_legend(loader):
    view = comparer(loader)
    figure = chart(view, "map").figure
    if figure is None:
        pytest.skip(chart(view, "map").message or "pas de fond de carte")
    (small,) = [t for t in figure.data if t.type == "choropleth" and t.name.startswith(SMALL_LABEL)]
    assert "moins de 100 ménages" in small.name and "5 cas" in small.name
    flagged = full_table(view).data.query("Remarque == 'effectif trop faible'")
    names = {row[0] for row in small.customdata}
    assert names == set(flagged["Territoire"])
    assert "taux non calculé" in small.hovertemplate


def test_the_thresholds_are_settings(loader, monkeypatch):
    monkeypatch.setenv("OBSERVATOIRE_SEUIL_MENAGES", "0")
    monkeypatch.setenv("OBSERVATOIRE_SEUIL_EVENEMENTS", "0")
    view = comparer(loader)
    table = full_table(view).data
    assert (table["Remarque"] != "effectif trop faible").all()
    assert chart(view, "ranking").note is not None and NOTE not in chart(view, "ranking").note
    monkeypatch.setenv("OBSERVATOIRE_SEUIL_MENAGES", "250")
    monkeypatch.setenv("OBSERVATOIRE_SEUIL_EVENEMENTS", "12")
    assert "moins de 250 ménages ou de moins de 12 cas" in chart(comparer(loader), "map").note


def test_a_ratio_over_too_few_cases_is_not_shown(loader):
    """« 100 % » of CQL per assignation from one assignation topped the ranking."""
    view = comparer(loader, indicateur="taux_cql_assignations")
    table = full_table(view).data
    assert (table["Remarque"] == "effectif trop faible").any()
    assert table.loc[table["Remarque"] == "effectif trop faible", "Taux de commandements de quitter les lieux par assignation"].isna().all()
    assert NOTE in (chart(view, "ranking").note or "")


# --- classes ----------------------------------------------------------------------------------------


def _bounds(label: str) -> tuple[str, str]:
    low, _, high = label.partition(" – ")
    return low, high or low


@pytest.mark.parametrize("indicator", ["assignations", "expulsions_effectives", "fsl_energie_menages", "cql"])
def test_class_breaks_are_contiguous_round_non_empty_and_the_same_in_legend_map_and_ranking(loader, indicator):
    view = comparer(loader, indicateur=indicator, territoire=GRENOBLE)
    figure = chart(view, "map").figure
    if figure is None:
        pytest.skip(chart(view, "map").message or "pas de fond de carte")
    classes = map_classes(figure)
    labels = [t.name for t in classes]
    assert 2 <= len(labels) <= 5
    for label in labels:
        assert re.fullmatch(f"{NUMBER}( – {NUMBER})?", label), label  # one decimal at most, never « 23,82 – 23,84 »
    for lower, upper in zip(labels, labels[1:], strict=False):
        assert _bounds(lower)[1] == _bounds(upper)[0]  # « 2,0 – 4,0 », « 4,0 – 6,0 »: no gap
    assert all(len(t.locations) > 0 for t in classes)  # no empty class
    assert len(set(labels)) == len(labels)
    # the ranking's bars take the colour of their commune's class on the map
    colour_of = {name: t.colorscale[0][1] for t in classes for name in (row[0] for row in t.customdata)}
    ranking = chart(view, "ranking").figure.data[0]
    for name, colour in zip(ranking.y, ranking.marker.color, strict=True):
        if not str(name).startswith(GAP_MARK):
            assert colour == colour_of[name], name
    assert ranking.marker.line.width[list(ranking.y).index("Grenoble")] == 3  # the selection outlined


def test_classes_of_any_data_have_round_contiguous_bounds():
    generator = np.random.default_rng(17)
    for scale in (0.4, 3.0, 40.0, 900.0):
        data = generator.gamma(1.5, scale, 400)
        classes = sequential_classes(data)
        bounds = np.asarray(classes.bounds)
        assert (np.diff(bounds) > 0).all() and bounds[0] == round(data.min(), classes.decimals)
        assert classes.decimals <= 1 and np.allclose(bounds, np.round(bounds, classes.decimals))
        assert set(classes.index) == set(range(len(classes.labels)))  # every class holds a value
        assert (classes.classify(data) == classes.index).all()  # the same classes for the same values


# --- scales and units -------------------------------------------------------------------------------


def test_a_rare_indicator_reads_per_10000_households_everywhere(loader):
    view = comparer(loader, indicateur="expulsions_effectives", territoire=GRENOBLE)
    unit = "pour 10 000 ménages"
    map_chart, ranking = chart(view, "map"), chart(view, "ranking")
    assert unit in map_chart.title and unit in ranking.title and map_chart.unit == unit and unit in view.filters
    table = full_table(view).data
    assert "Pour 10 000 ménages" in table.columns and "Rang (pour 10 000 ménages)" in table.columns
    assert "Pour 1 000 ménages" not in table.columns
    figure_unit = unit.replace(" 000", "\u202f000")  # « 10 000 » never broken over two lines
    assert figure_unit in map_chart.key_figure.label and all(figure_unit in f.label for f in view.key_figures if "Isère" in f.label)
    assert ranking.figure.layout.xaxis.title.text == f"Taux {unit}"
    if map_chart.figure is not None:
        assert "10\u202f000" in map_chart.figure.layout.legend.title.text
        assert unit in map_chart.figure.layout.title.subtitle.text
    rates = table["Pour 10 000 ménages"].dropna()
    assert (rates.round(1) > 0).all()  # never « 0,0 »


def test_a_common_indicator_stays_per_1000_households(loader):
    view = comparer(loader)
    assert "pour 1 000 ménages" in chart(view, "map").title
    assert "Pour 1 000 ménages" in full_table(view).data.columns


def test_the_selected_communes_value_and_rank_are_written_beside_the_map(loader):
    view = comparer(loader, territoire=GRENOBLE)
    key = chart(view, "map").key_figure
    assert key is not None and re.fullmatch(NUMBER, key.value)
    rank = re.fullmatch(r"Grenoble : (\d+)(?:er|e) sur \d+ \(pour 1\u202f000 ménages par an\)", key.label).group(1)
    value = key.value
    table = full_table(view).data.set_index("Territoire")
    assert int(rank) == table.at["Grenoble", "Rang (pour 1 000 ménages)"]
    figure = chart(view, "map").figure
    if figure is not None:
        assert f"Grenoble : {value} pour 1 000 ménages, {rank}e sur" in figure.layout.title.subtitle.text


# --- yearly averages and totals ---------------------------------------------------------------------


def test_rates_over_several_years_are_yearly_averages_unless_totals_are_asked(loader):
    average, total, one_year = (
        comparer(loader, niveau="territoire"),
        comparer(loader, niveau="territoire", cumul="1"),
        comparer(loader, niveau="territoire", debut="2024", fin="2024"),
    )
    assert chart(average, "map").title.endswith("— moyenne annuelle 2021–2025")
    assert chart(total, "map").title.endswith("— total 2021–2025") and "moyenne" not in chart(total, "map").title
    assert chart(one_year, "map").title.endswith("— 2024") and "moyenne" not in chart(one_year, "map").title
    assert "moyenne annuelle" in chart(average, "ranking").title and "moyenne annuelle" in average.filters

    def isere(view: View) -> float:
        return float(next(f for f in view.key_figures if f.label.startswith("Isère")).value.replace(",", "."))

    assert isere(total) == pytest.approx(5 * isere(average), abs=0.3)
    table = chart(average, "map").data
    assert "Assignations par an (moyenne)" in table.columns and "Assignations (total 2021–2025)" in table.columns
    assert (table["Assignations par an (moyenne)"] * 5).round(6).equals(table["Assignations (total 2021–2025)"].astype(float).round(6))


def test_totals_are_a_url_parameter_written_only_when_chosen(loader):
    assert view_params.parse({**BASE, "cumul": "1"}, loader).params.query()["cumul"] == "1"
    assert "cumul" not in view_params.parse(BASE, loader).params.query()


# --- the objective gap ------------------------------------------------------------------------------


def test_the_gap_axis_never_runs_below_minus_100_percent():
    frame = pd.DataFrame(
        {
            "territory_code": [f"c{i}" for i in range(40)],
            "name": [f"Commune {i}" for i in range(40)],
            "value": [0.0, 0.0, 7.0, *np.linspace(1, 5, 37)],
            "target": [2.0, 3.0, 1.0, *[2.5] * 37],
        }
    )
    figure = gap_to_objective_bar(frame, limit=15, selected="c20", level_word="communes")
    low, high = figure.layout.xaxis.range
    assert low >= -100 and high >= 600  # +600 % is possible, −600 % is not
    drawn = [name for name in figure.data[0].y if not str(name).startswith(GAP_MARK)]
    assert len(drawn) <= 31 and "Commune 20" in drawn
    assert "−100\u202f%" in list(figure.data[0].text)


def test_the_page_offers_totals_and_writes_them_to_the_url(app):
    """The Comparer page's « Total sur la période » box: unticked, yearly averages; ticked, totals and ``cumul=1``."""
    conftest.open_page(app, "pages/comparer.py", {**BASE, "niveau": "territoire"})
    assert not app.exception, app.exception
    (box,) = [b for b in app.checkbox if b.label == TOTAL_LABEL]
    assert box.value is False and "cumul" not in app.query_params
    assert any("moyenne annuelle 2021–2025" in s.value for s in app.subheader)
    box.set_value(True).run()
    assert app.query_params["cumul"] in (["1"], "1")
    assert any(s.value.endswith("— total 2021–2025") for s in app.subheader)
