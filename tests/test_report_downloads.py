"""The documents made in the app: the bilan from « Plan d'action », the dossier from « Séances »,
each behind a button with a progress bar, then downloaded (the app, AppTest, demo database)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import open_page


def _made(app: AppTest, label: str) -> list[object]:
    assert not app.exception, app.exception
    next(button for button in app.button if button.label == label).click().run()
    assert not app.exception, app.exception
    assert not app.error, [error.value for error in app.error]
    return [element.proto for element in app.get("download_button") if element.proto.label.startswith("Télécharger le ")]


def test_the_bilan_workbook_is_made_and_offered_from_the_plan_view(app):
    open_page(app, "pages/plan_action.py", {"plan": "isere-palhdi-2014-2020", "debut": "2018", "fin": "2018"})
    assert "Bilan annuel 2018" in [header.value for header in app.subheader]
    downloads = _made(app, "Préparer le classeur Excel")
    assert len(downloads) == 1 and downloads[0].label.startswith("Télécharger le classeur Excel (")  # type: ignore[attr-defined]


def test_the_seance_dossier_is_made_as_a_deck_from_the_seances_page(app):
    open_page(app, "pages/seances.py", {"plan": "isere-palhdi-2014-2020"})
    downloads = _made(app, "Préparer le diaporama PowerPoint")
    assert len(downloads) == 1 and downloads[0].label.startswith("Télécharger le diaporama PowerPoint (")  # type: ignore[attr-defined]


def test_presentation_mode_offers_no_document_buttons(app):
    open_page(app, "pages/plan_action.py", {"plan": "isere-palhdi-2014-2020", "presentation": "1"})
    assert not app.exception
    assert not [button for button in app.button if button.label.startswith("Préparer le ")]


def test_the_seance_list_names_each_page_in_french(app):
    open_page(app, "pages/seances.py", {"plan": "isere-palhdi-2014-2020"})
    listed = app.dataframe[0].value
    assert set(listed["Page"]) <= {
        "Vue d'ensemble",
        "Tendances",
        "Comparer les territoires",
        "Procédure d'expulsion",
        "Aides FSL",
        "Mal-logement",
    }
    assert "vue_ensemble" not in set(listed["Page"])
