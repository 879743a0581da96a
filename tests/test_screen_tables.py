"""The tables the screen shows: numbers stay numbers (they sort as numbers) and print in French."""

import pandas as pd

from data_access.french import NNBSP
from data_access.vocabulary import Page
from ui.render import column_decimals, shown_table, status_table


def test_a_shown_table_keeps_its_numbers_and_prints_them_in_french():
    data = pd.DataFrame({"Commune": ["Vif", "Voiron"], "Ménages": [1529, 302], "Taux": [100.0, 0.7]}, index=[5, 5])
    shown = shown_table(data)
    assert shown.data["Ménages"].tolist() == [1529, 302]  # sorted by the grid as numbers, not as text
    assert pd.api.types.is_numeric_dtype(shown.data["Taux"])
    html = shown.to_html()
    assert f"1{NNBSP}529" in html and ">302<" in html
    assert "100,0" in html and "0,7" in html  # one decimal for the whole column


def test_a_missing_value_reads_as_a_dash_never_none():
    html = shown_table(pd.DataFrame({"Valeur": [1.5, None], "Lot": pd.array([3, None], dtype="Int64"), "Par": ["gestion", None]})).to_html()
    assert "1,5" in html and html.count(">–<") == 3 and "nan" not in html and "None" not in html and "&lt;NA&gt;" not in html


def test_whole_columns_print_no_decimal():
    assert column_decimals(pd.Series([2110.0, 3.0, None])) == 0
    assert column_decimals(pd.Series([2110.0, 6.54])) == 1


def test_status_chips_are_coloured_on_the_formatted_table():
    data = pd.DataFrame({"Statut": ["✔ atteint", "—"], "Valeur": [1.0, 2.5]})
    html = status_table(data, ("Statut", "Absent")).to_html()
    assert "background-color" in html and "2,5" in html


def test_a_table_with_its_own_source_credits_it_in_its_downloads():
    from reporting.view_export import exported_table
    from views.model import Table, View

    data = pd.DataFrame({"Étape": ["Repérées", "Traitées"], "Nombre": [12, 5]})
    own = View(
        Page.MAL_LOGEMENT, "Mal-logement", "Isère · 2021", (Table("ml-traitement", "Traitement", data, source="ARS 2021"),), source="Page"
    )
    assert exported_table(own)[1]["source"] == "ARS 2021"
    plain = View(Page.MAL_LOGEMENT, "Mal-logement", "Isère · 2021", (Table("t", "Traitement", data),), source="Page")
    assert exported_table(plain)[1]["source"] == "Page"
