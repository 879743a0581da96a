"""The one parameter language: URL parameters → typed view parameters, defaults and French notices."""

from __future__ import annotations

import pytest

from data_access.errors import UserError
from data_access.vocabulary import Granularity, Level
from views.loader import DatabaseLoader
from views.params import parse

ISERE = "isere-palhdi-2014-2020"
SARTHE = "sarthe-pdalpd-2008-2012"


@pytest.fixture
def loader(conn):
    return DatabaseLoader(conn)


@pytest.fixture
def defaults(loader):
    return parse({}, loader).params


# (query, attribute, expected value, a notice is expected)
CASES = [
    ({}, "plan", ISERE, False),
    ({"plan": SARTHE}, "plan", SARTHE, False),
    ({"plan": SARTHE}, "departement", "72", False),
    ({"plan": "nulle-part"}, "plan", ISERE, True),
    ({"plan": "<script>alert(1)</script>"}, "plan", ISERE, True),
    ({"plan": ["nulle-part", SARTHE]}, "plan", SARTHE, False),  # a repeated parameter: the last one
    ({"debut": "2016", "fin": "2019"}, "first_year", 2016, False),
    ({"debut": "2016", "fin": "2019"}, "last_year", 2019, False),
    ({"debut": "2019", "fin": "2016"}, "first_year", 2016, True),  # inverted: swapped
    ({"debut": "deux-mille"}, "first_year", "default", True),
    ({"debut": "٢٠١٦"}, "first_year", "default", True),  # Arabic-Indic digits: int() would accept them
    ({"debut": "²⁰¹⁶"}, "first_year", "default", True),  # superscripts: str.isdigit() accepts them
    ({"debut": "2016.0"}, "first_year", "default", True),
    ({"debut": "1899"}, "first_year", "default", True),
    ({"debut": "9" * 23}, "first_year", "default", True),
    ({"debut": " 2016 "}, "first_year", 2016, False),
    ({"fin": "2100"}, "last_year", "clamped", False),  # beyond the data: the last year with data
    ({"granularite": "mois"}, "granularity", Granularity.MONTH, False),
    ({"granularite": "trimestre"}, "granularity", Granularity.QUARTER, False),
    ({"granularite": "glissant"}, "granularity", Granularity.ROLLING12, False),
    ({"granularite": "annee"}, "granularity", Granularity.YEAR, False),
    ({"granularite": "month"}, "granularity", Granularity.YEAR, True),  # the stored word is not a URL word
    ({"granularite": "x" * 5000}, "granularity", Granularity.YEAR, True),
    ({"niveau": "epci"}, "level", Level.EPCI, False),
    ({"niveau": "commune"}, "level", Level.COMMUNE, False),
    ({"niveau": "arrondissement"}, "level", Level.ARRONDISSEMENT, False),
    ({"niveau": "canton"}, "level", Level.TERRITOIRE, True),
    ({"niveau": "departement"}, "level", Level.TERRITOIRE, True),
    ({"territoire": "trieves"}, "territory", "trieves", False),
    ({"territoire": "trieves"}, "territory_name", "Trièves", False),
    ({"territoire": "atlantide"}, "territory", "38", True),
    ({"territoire": "38185", "niveau": "commune"}, "territory", "38185", False),
    ({"territoire": "38185"}, "territory", "38", True),  # a commune code at the territoire level
    ({"territoire": "le-mans-metropole", "plan": SARTHE}, "territory", "le-mans-metropole", False),
    ({"territoire": "trieves", "plan": SARTHE}, "territory", "72", True),  # another plan's territory
    ({"presentation": "1"}, "presentation", True, False),
    ({"presentation": "oui"}, "presentation", False, False),
    ({"indicateur": "cql,assignations"}, "indicators", ("cql", "assignations"), False),
    ({"indicateur": "cql,cql,,"}, "indicators", ("cql",), False),
    ({"indicateur": ",".join(["a"] * 40 + ["b"])}, "indicators", ("a",), False),  # lists are cut before validation
    ({"avec": "oisans,trieves"}, "compared", ("oisans", "trieves"), False),
    ({"avec": "oisans,atlantide"}, "compared", ("oisans",), False),
    ({"avec": "trieves", "territoire": "trieves"}, "compared", (), False),  # the territory itself
    ({"departement": "oui"}, "with_departement", True, False),
    ({"departement": "non"}, "with_departement", False, False),
    ({"departement": "peut-être"}, "with_departement", None, False),
    ({}, "with_departement", None, False),
    ({"affichage": "per_inhabitants"}, "mode", "per_inhabitants", False),
    ({"saisonnalite": "cql"}, "seasonality", "cql", False),
    ({"axes": "1,3", "statuts": "atteint"}, "axes", ("1", "3"), False),
]


@pytest.mark.parametrize(("query", "attribute", "expected", "notice"), CASES)
def test_parse(loader, defaults, query, attribute, expected, notice):
    parsed = parse(query, loader)
    value = getattr(parsed.params, attribute)
    if expected == "default":
        assert value == getattr(defaults, attribute)
    elif expected == "clamped":
        assert value == loader.year_bounds(parsed.params.departement)[1]
    else:
        assert value == expected
    assert bool(parsed.notices) == notice, parsed.notices
    for text in parsed.notices:  # French, short, and nothing a Markdown renderer could read as markup
        assert len(text) < 200 and "<" not in text and "[" not in text


def test_the_seance_plan_stands_for_a_missing_plan(loader):
    assert parse({}, loader, plan=SARTHE).params.plan == SARTHE
    assert parse({"plan": ISERE}, loader, plan=SARTHE).params.plan == ISERE


def test_defaults_are_not_written_back(loader):
    """A view's query holds the sidebar's values and only the page options that were chosen."""
    query = parse({}, loader).params.query()
    assert set(query) == {"plan", "debut", "fin", "granularite", "niveau", "territoire"}
    chosen = parse({"departement": "non", "indicateur": "cql"}, loader).params.query()
    assert chosen["departement"] == "non" and chosen["indicateur"] == "cql"


def test_the_query_reopens_the_same_view(loader):
    params = parse({"plan": SARTHE, "debut": "2009", "fin": "2011", "niveau": "epci", "granularite": "mois"}, loader).params
    assert parse(params.query(), loader).params == params


def test_no_plan_is_a_french_user_error(small_database_template, tmp_path):
    import shutil

    from sqlalchemy import delete

    from data_access.db import make_engine
    from data_access.models import Plan

    path = tmp_path / "sans-plan.db"
    shutil.copy(small_database_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        for table in ("seance_view", "seance", "objective", "action_indicator", "plan_action", "plan_axis"):
            conn.exec_driver_sql(f"DELETE FROM {table}")
        conn.execute(delete(Plan))
    with engine.connect() as conn, pytest.raises(UserError, match="Aucun plan"):
        parse({}, DatabaseLoader(conn))
    engine.dispose()
