"""A shared link never crashes a page: hostile URL parameters, every page, both plans (AppTest).

Each hostile value is read as absent (or cut to the page's limit) with a French notice where the
page has one; no exception, no « Référence de l'erreur », nothing English or markup echoed."""

from __future__ import annotations

import pytest

from data_access.vocabulary import PAGES
from tests.conftest import open_page
from tests.test_boundary import _assert_nothing_english

ISERE, SARTHE = "isere-palhdi-2014-2020", "sarthe-pdalpd-2008-2012"
INDICATORS = "assignations,cql,cfp_demandes,cfp_accordes,expulsions_effectives,cfp_refuses"  # 6: Tendances draws 4
TERRITORIES = {ISERE: "oisans,trieves,vercors,voironnais,matheysine,vals-du-dauphin,bievre-valloire"}  # 7: 5 drawn
# every parameter of views/params.py and ui/seance_nav.py at once, each hostile
EVERYTHING = {
    "debut": "٢٠١٨",  # Arabic-Indic digits: int() reads them
    "fin": "²⁰¹⁸",  # superscripts: str.isdigit() accepts them
    "granularite": "x" * 5000,
    "niveau": "<b>commune</b>",
    "territoire": "38185\x00",
    "presentation": "9" * 23,
    "indicateur": INDICATORS,
    "avec": ",".join(["oisans"] * 50),
    "departement": "peut-être",
    "affichage": "1e308",
    "cumul": "NaN",
    "saisonnalite": "[lien](javascript:alert(1))",
    "axes": "9" * 23,
    "statuts": "<script>alert(1)</script>",
    "etats": "-1,٣",
    "seance": "9" * 23,  # no database integer holds it
    "vue": "٣",
    "figure": "9" * 23,
}
CASES = [
    ({"debut": "٢٠١٨"}, True),
    ({"debut": "²⁰¹⁸"}, True),
    ({"fin": "9" * 23}, True),
    ({"seance": "9" * 23}, False),
    ({"seance": "1", "vue": "9" * 23, "presentation": "1"}, False),
    ({"indicateur": INDICATORS}, False),
    ({"avec": TERRITORIES[ISERE]}, False),
    ({"niveau": "commune", "avec": ",".join(f"38{n:03d}" for n in range(1, 40))}, False),
]


def _no_failure(at) -> None:
    _assert_nothing_english(at, "javascript:alert", "<script>alert", "<b>commune")
    assert not [e.value for e in at.error if "Référence de l'erreur" in e.value], "the page failed inside the boundary"


@pytest.mark.parametrize("plan", [ISERE, SARTHE])
@pytest.mark.parametrize("page", [info.script for info in PAGES])
def test_every_hostile_parameter_at_once_on_every_page(app, page, plan):
    open_page(app, page, EVERYTHING | {"plan": plan})
    _no_failure(app)
    assert app.sidebar.warning, "no notice"


@pytest.mark.parametrize(("query", "notice"), CASES)
def test_hostile_parameters_of_a_shared_link(app, query, notice):
    open_page(app, "pages/tendances.py", query)
    _no_failure(app)
    assert bool(app.sidebar.warning) == notice, [w.value for w in app.sidebar.warning]
    if "indicateur" in query:
        assert len(app.multiselect[0].value) == 4
    if "avec" in query:
        assert len(app.multiselect[1].value) <= 5
