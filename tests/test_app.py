"""Every page of the app runs without exception on the demo database (AppTest)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

PAGES = ["pages/vue_ensemble.py", "pages/donnees_methodes.py"]


@pytest.fixture
def app(database_url, monkeypatch):
    if not database_url.startswith("sqlite"):
        pytest.skip("the app tests run once, on SQLite")
    monkeypatch.setenv("OBSERVATOIRE_DATABASE_URL", database_url)
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()  # cached results and engines otherwise leak between tests
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_without_exception(app, page):
    app.run()
    app.switch_page(page).run()
    assert not app.exception
    assert app.title


def test_overview_lists_the_plan_objectives_with_their_status(app):
    app.run()
    table = app.dataframe[0].value
    assert "Statut" in table.columns and len(table) == 21


def test_unknown_plan_in_the_url_falls_back_with_a_notice(app):
    app.query_params["plan"] = "nulle-part"
    app.run()
    assert not app.exception
    assert any("inconnu" in w.value for w in app.sidebar.warning)
