"""Secret statistique and rounded sources (issue 16), on SQLite and PostgreSQL.

A cell marked secret (« s », « secret », « < 5 »…, or blank in a source declared secret-bearing) is
stored as secret with the value 0: not a zero, not a missing value; every sum leaves it out and says
that it is a lower bound; the Comparer table shows « s ». A source declared as rounded (CAF) says
so in the source line of its figures.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import select

from data_access.importers import ImportOptions, apply_import, prepare_import, revert_batch
from data_access.importers.text import secret_cells
from data_access.models import Indicator, Observation, ObservationRollup
from data_access.periods import Period
from data_access.queries import level_values
from data_access.vocabulary import Page
from views import common, params, registry
from views.loader import DatabaseLoader

YEAR = Period.years(2001)  # no demo value there: the test's values are the only ones
WIDE = ImportOptions(format="wide", indicator="assignations", territory_column="Code commune")
LONG = (
    b"indicateur;territoire;periode;valeur\n"
    b"assignations;38185;2001-01;54\n"
    b"assignations;38151;2001-01;s\n"
    b"assignations;38421;2001-01;< 5\n"
    b"assignations;38169;2001-01;Secret\n"
    b"assignations;38185;2001-02;3\n"
)


def _stored(conn) -> dict[tuple[str, dt.date], tuple[float, bool]]:  # type: ignore[no-untyped-def]
    o = Observation
    rows = conn.execute(
        select(o.territory_code, o.period_start, o.value, o.secret).where(
            o.indicator_code == "assignations", o.period_start >= YEAR.start, o.period_start < YEAR.end
        )
    )
    return {(t, p): (float(v), bool(s)) for t, p, v, s in rows}


def _rollup(conn, territory: str, month: int) -> tuple[float, int, int]:  # type: ignore[no-untyped-def]
    r = ObservationRollup
    row = conn.execute(
        select(r.value, r.n_values, r.n_secret).where(
            r.indicator_code == "assignations",
            r.granularity == "month",
            r.territory_code == territory,
            r.period_start == dt.date(2001, month, 1),
        )
    ).one()
    return float(row[0]), int(row[1]), int(row[2])


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _import(conn, data: bytes, name: str, options: ImportOptions | None = None):  # type: ignore[no-untyped-def]
    preview = prepare_import(conn, data, name, options or ImportOptions())
    assert preview.errors == 0, preview.issues["message"].tolist()
    return preview, apply_import(conn, preview, user_name="test")


def test_secret_markers_are_recognised_in_any_spelling():
    cells = pd.Series(["s", "S", " secret ", "Secret statistique", "< 5", "<5", "≤ 4", "<= 10", "12", "0", "", None, "nc", "5 <"])
    assert secret_cells(cells).tolist() == [True] * 8 + [False] * 6
    assert secret_cells(pd.Series(["", None, "3"]), blank=True).tolist() == [True, True, False]


def test_a_long_csv_stores_secret_cells_as_secret_not_zero_and_totals_are_lower_bounds(conn):
    preview, outcome = _import(conn, LONG, "secret.csv")
    assert any("3 cellule(s) couverte(s) par le secret statistique" in m for m in preview.issues["message"])
    assert outcome.batch_id is not None and outcome.new == 5
    stored = _stored(conn)
    january = dt.date(2001, 1, 1)
    assert stored[("38151", january)] == (0.0, True) and stored[("38421", january)] == (0.0, True)
    assert stored[("38169", january)] == (0.0, True) and stored[("38185", january)] == (54.0, False)
    # the département's sum leaves the secret cells out and counts them
    assert _rollup(conn, "38", 1) == (54.0, 4, 3)
    values = level_values(conn, indicator="assignations", level="commune", departement="38", period=YEAR).set_index("territory_code")
    assert values.attrs["departement_value"] == 57.0 and values.attrs["departement_secret"] == 3
    assert values.loc["38151", ["n_secret", "n_cells"]].tolist() == [1, 1]  # wholly secret
    assert values.loc["38185", ["value", "n_secret"]].tolist() == [57.0, 0]
    # the same values again (another file): the secret cells are unchanged, nothing to import
    assert prepare_import(conn, LONG, "copie.csv").counts["inchangées"] == 5
    assert apply_import(conn, prepare_import(conn, LONG, "copie.csv"), user_name="test").batch_id is None


def test_a_secret_replacing_a_published_value_is_a_change_and_revert_restores_it(conn):
    _import(conn, b"indicateur;territoire;periode;valeur\nassignations;38151;2001-01;0\nassignations;38185;2001-01;7\n", "a.csv")
    assert _rollup(conn, "38", 1) == (7.0, 2, 0)
    preview, outcome = _import(conn, b"indicateur;territoire;periode;valeur\nassignations;38151;2001-01;s\n", "b.csv")
    assert preview.counts["modifiées"] == 1 and outcome.changed == 1
    assert _stored(conn)[("38151", dt.date(2001, 1, 1))] == (0.0, True)
    assert _rollup(conn, "38", 1) == (7.0, 2, 1)
    revert_batch(conn, outcome.batch_id)
    assert _stored(conn)[("38151", dt.date(2001, 1, 1))] == (0.0, False)
    assert _rollup(conn, "38", 1) == (7.0, 2, 0)


def test_a_wide_csv_keeps_secret_cells_and_blank_cells_only_when_the_source_says_so(conn):
    wide = "Code commune;Commune;janv. 2001;févr. 2001\n38185;Grenoble;12;s\n38151;Échirolles;<5;\n".encode()
    preview = prepare_import(conn, wide, "large.csv", WIDE)
    obs = preview.observations.set_index(["territory_code", "period_start"])
    assert len(obs) == 3 and obs["secret"].sum() == 2  # the blank cell is no value
    blank = prepare_import(conn, wide, "large.csv", ImportOptions(**{**WIDE.__dict__, "blank_is_secret": True}))
    assert len(blank.observations) == 4 and blank.observations["secret"].sum() == 3
    assert blank.fingerprint != preview.fingerprint  # another reading of the same file
    apply_import(conn, blank, user_name="test")
    assert _stored(conn)[("38151", dt.date(2001, 2, 1))] == (0.0, True)
    assert _rollup(conn, "38", 2) == (0.0, 2, 2)


@pytest.mark.parametrize("layout", ["long", "wide"])
def test_xlsx_files_store_secret_cells(conn, layout):
    if layout == "long":
        data = _xlsx(
            [
                ["indicateur", "territoire", "periode", "valeur"],
                ["assignations", 38185, dt.datetime(2001, 3, 1), 9],
                ["assignations", 38151, dt.datetime(2001, 3, 1), "secret"],
                ["assignations", 38421, dt.datetime(2001, 3, 1), "<5"],
            ]
        )
        options = ImportOptions()
    else:
        data = _xlsx([["Code commune", "mars 2001"], [38185, 9], [38151, "s"], [38421, "< 5"]])
        options = WIDE
    _import(conn, data, "secret.xlsx", options)
    stored = _stored(conn)
    march = dt.date(2001, 3, 1)
    assert stored[("38151", march)] == (0.0, True) and stored[("38421", march)] == (0.0, True) and stored[("38185", march)] == (9.0, False)
    assert _rollup(conn, "38", 3) == (9.0, 3, 2)


def test_comparer_shows_s_and_a_lower_bound(conn):
    _import(conn, LONG, "secret.csv")
    loader = DatabaseLoader(conn)
    query = {"plan": "isere-palhdi-2014-2020", "debut": "2001", "fin": "2001", "niveau": "commune", "indicateur": "assignations"}
    parsed = params.parse(query, loader)
    view = registry.build_view(Page.COMPARER, parsed.params, loader)
    table = view.main_chart.data.set_index("Territoire")
    count = table.columns[0]  # « Assignations aux fins de résiliation du bail »
    assert table.loc["Échirolles", common.REMARK_HEADER] == "s : secret statistique"
    assert pd.isna(table.loc["Échirolles", count]) and pd.isna(table.loc["Échirolles", table.columns[2]])  # « s », not 0
    assert table.loc["Grenoble", count] == 57
    note = view.main_chart.note or ""
    assert "s : secret statistique" in note and "3 valeurs couvertes par le secret statistique ne sont pas comptées" in note
    assert view.key_figures[0].value.startswith("≥ ")  # the département's rate leaves the secret cells out
    counts = registry.build_view(Page.COMPARER, params.parse({**query, "affichage": "value"}, loader).params, loader)
    assert counts.key_figures[0].value == "≥ 57"


def test_a_source_declared_rounded_says_so_on_its_figures(conn):
    rounding = dict(conn.execute(select(Indicator.code, Indicator.rounding)).all())
    assert rounding["impayes_signales"] == 5 and rounding["assignations"] is None
    loader = DatabaseLoader(conn)
    assert "CAF / MSA (chiffres arrondis à 5 par la source)" in common.source_line(loader, ["impayes_signales"], "38")
    assert "arrondis" not in common.source_line(loader, ["assignations"], "38")


def test_tendances_says_its_sums_leave_secret_cells_out(conn):
    loader = DatabaseLoader(conn)
    query = {"plan": "isere-palhdi-2014-2020", "debut": "2001", "fin": "2001", "indicateur": "assignations", "pas": "year"}
    before = registry.build_view(Page.TENDANCES, params.parse(query, loader).params, loader)
    assert before.empty is not None or "secret" not in (before.main_chart.note or "")
    _import(conn, LONG, "secret.csv")
    view = registry.build_view(Page.TENDANCES, params.parse(query, loader).params, loader)
    note = view.main_chart.note or ""
    assert "Total minimal (« ≥ ») : 3 valeurs couvertes par le secret statistique ne sont pas comptées dans les valeurs de Isère." in note
    total = next(k for k in view.key_figures if k.label.startswith("Total"))
    assert total.value == "≥ 57"


def test_trend_tables_say_value_by_value_which_sums_are_minimums(conn):
    _import(conn, LONG, "secret.csv")
    loader = DatabaseLoader(conn)
    query = {"plan": "isere-palhdi-2014-2020", "debut": "2001", "fin": "2001", "indicateur": "assignations", "granularite": "mois"}
    query |= {"niveau": "commune", "territoire": "38151", "avec": "38185"}
    table = registry.build_view(Page.TENDANCES, params.parse(query, loader).params, loader).main_chart.data
    rows = table.set_index(["Territoire", "Période"])
    # the département's January leaves three secret cells out, its February none
    assert rows.loc[("Isère", "2001-01"), common.REMARK_HEADER] == "total minimal (3 valeurs sous secret)"
    assert rows.loc[("Isère", "2001-01"), "Valeur"] == 54
    assert rows.loc[("Isère", "2001-02"), common.REMARK_HEADER] == ""
    # a commune wholly secret is « s », not 0; a commune without secret has no remark
    assert rows.loc[("Échirolles", "2001-01"), common.REMARK_HEADER] == "s : secret statistique"
    assert pd.isna(rows.loc[("Échirolles", "2001-01"), "Valeur"])
    assert rows.loc[("Grenoble", "2001-01"), common.REMARK_HEADER] == ""
    # twelve-month sums carry the January cells for twelve months, then no more
    rolled = loader.secret_cells(("assignations",), ("38",), Period.years(2001, 2002), "rolling12")
    assert rolled["period_start"].tolist() == [dt.date(2001, m, 1) for m in range(1, 13)]
    assert set(rolled["n_secret"]) == {3} and set(rolled["n_cells"]) == {4, 5}  # January's four cells, then February's too


def test_a_secret_denominator_makes_a_rate_a_maximum_not_a_minimum(conn):
    data = (
        b"indicateur;territoire;periode;valeur\n"
        b"cfp_demandes;38185;2001;40\ncfp_demandes;38151;2001;s\n"
        b"cfp_accordes;38185;2001;10\ncfp_accordes;38151;2001;2\n"
    )
    _import(conn, data, "taux.csv")
    loader = DatabaseLoader(conn)
    cells = loader.secret_cells(("taux_cfp_accordes",), ("38",), YEAR, "year")
    assert cells[["n_secret", "n_secret_denominator"]].values.tolist() == [[0, 1]]
    query = {"plan": "isere-palhdi-2014-2020", "debut": "2001", "fin": "2001", "indicateur": "taux_cfp_accordes", "granularite": "annee"}
    view = registry.build_view(Page.TENDANCES, params.parse(query, loader).params, loader)
    note = view.main_chart.note or ""
    assert "Taux maximal (« ≤ ») : 1 valeur du dénominateur couverte par le secret statistique n'est pas comptée" in note
    assert "Total minimal" not in note
    table = view.main_chart.data.set_index("Territoire")
    assert table.loc["Isère", common.REMARK_HEADER] == "taux maximal (1 valeur du dénominateur sous secret)"
    comparer = registry.build_view(Page.COMPARER, params.parse({**query, "niveau": "commune"}, loader).params, loader)
    assert comparer.key_figures[0].value.startswith("≤ ")
    assert "Taux maximal (« ≤ »)" in (comparer.main_chart.note or "")


def test_the_bilan_and_comparer_small_multiples_say_their_values_are_minimums(conn):
    _import(conn, LONG, "secret.csv")
    loader = DatabaseLoader(conn)
    query = {"plan": "isere-palhdi-2014-2020", "debut": "2001", "fin": "2002", "niveau": "territoire", "indicateur": "assignations"}
    view = registry.build_view(Page.COMPARER, params.parse(query, loader).params, loader)
    multiples = next(b for b in view.blocks if getattr(b, "key", "") == "multiples")
    assert "Total minimal (« ≥ ») : " in (multiples.note or "")
    assert (multiples.data[common.REMARK_HEADER] != "").any()
    from views.bilan import indicators_sheet
    from views.bilan_territories import territories_sheet

    sheet = indicators_sheet(loader, "isere-palhdi-2014-2020", 2001)
    assert sheet.loc[sheet["Indicateur"].str.startswith("Assignations"), "Remarque"].str.contains("2001 : total minimal").all()
    territories = territories_sheet(loader, "38", 2001)
    assert territories["Remarque"].str.contains("total minimal").any()


@pytest.mark.parametrize(
    ("page", "indicator"),
    [(Page.EXPULSIONS, "assignations"), (Page.FSL, "fsl_energie_menages"), (Page.MAL_LOGEMENT, "signalements_insalubrite")],
)
def test_the_thematic_pages_warn_that_their_sums_are_lower_bounds(conn, page, indicator):
    loader = DatabaseLoader(conn)
    query = {"plan": "isere-palhdi-2014-2020", "debut": "2001", "fin": "2001"}
    data = f"indicateur;territoire;periode;valeur\n{indicator};38185;2001-01;54\n{indicator};38151;2001-01;s\n".encode()
    before = registry.build_view(page, params.parse(query, loader).params, loader)
    assert not [n for n in before.notices if "secret" in n]
    _import(conn, data, "secret.csv")
    view = registry.build_view(page, params.parse(query, loader).params, loader)
    assert view.empty is None
    assert (
        "Total minimal (« ≥ ») : 1 valeur couverte par le secret statistique n'est pas comptée dans les chiffres de Isère sur cette page"
        in " ".join(view.notices)
    )
