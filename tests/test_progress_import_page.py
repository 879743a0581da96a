"""The import page's « Suivi des fiches-action » section (issue 14), with AppTest on a fresh copy of
a small database: nothing of it for an anonymous session, the template downloaded from the page,
a file with errors listed line by line and refused, a good file imported, listed and reverted."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from data_access import auth
from data_access.db import make_engine
from data_access.milestones import milestone_history
from data_access.models import ActionProgress, ActionProgressHistory, ActionProgressImport, MilestoneRecord
from data_access.progress import progress_table, set_progress
from data_access.progress_import import prepare_progress_import
from tests.conftest import ROOT, new_app, open_page

PASSWORD = "une phrase de passe de test"
PAGE = str(ROOT / "pages" / "import_donnees.py")
ISERE, SARTHE = "isere-palhdi-2014-2020", "sarthe-pdalpd-2008-2012"
ISERE_TEMPLATE_ROWS = 16 + 24  # the Isère plan's fiches, each followed by its milestones
HEADER = "Fiche;Année;État;Réalisations;Commentaire;Pilote;Partenaires;Moyens;Jalon;Date"
GOOD_LINES = (
    HEADER,
    "1.1;2020;réalisée;Doctrine adoptée;;DDCS;CAF, Département;12 500;;",
    "1.2;2020;NON ENGAGEE;;;;;;;",
    "1.3;2020;Réalisé;;Outil livré;;;;0;30/06/2016",
    "1.4;2019;engagée;;;;;1000,50;;",
)
PERSON = "Madame Confidentielle"  # a text of the file that must never be shown back


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


GOOD = _csv(*GOOD_LINES)


@pytest.fixture(scope="module")
def password_hash() -> str:
    return auth.hash_password(PASSWORD)


@pytest.fixture
def database(small_database_template: Path, tmp_path: Path) -> str:
    copy = tmp_path / "suivi.db"
    shutil.copy(small_database_template, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def conn(database: str):  # type: ignore[no-untyped-def]
    """A connection to the page's database, to look at what the page wrote (or did not)."""
    engine = make_engine(database)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


@pytest.fixture
def page(database, monkeypatch, password_hash) -> AppTest:  # type: ignore[no-untyped-def]
    """The import page alone on the copy, with the local account configured and every cache emptied."""
    import streamlit as st

    monkeypatch.setenv("OBSERVATOIRE_DATABASE_URL", database)
    monkeypatch.setenv(auth.ENV_USER, "gestion")
    monkeypatch.setenv(auth.ENV_HASH, password_hash)
    st.cache_data.clear()
    st.cache_resource.clear()  # the engine and the login throttle
    return AppTest.from_file(PAGE, default_timeout=60)


@pytest.fixture
def deferred(monkeypatch) -> dict[str, Callable[[], bytes]]:  # type: ignore[no-untyped-def]
    """The download buttons' callables by file name, as Streamlit registers them: calling one is
    what a click on the button does (AppTest's runtime is gone once a run ends)."""
    registered: dict[str, Callable[[], bytes]] = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):  # type: ignore[no-untyped-def]
        registered[str(file_name)] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return registered


def _login(app: AppTest) -> AppTest:
    app.run()
    app.text_input[0].input("gestion")
    app.text_input[1].input(PASSWORD)
    app.button[0].click()
    return app.run()


def _check(app: AppTest, data: bytes, name: str = "suivi.csv") -> AppTest:
    """Upload ``data`` to the follow-up section (its uploader comes after the data import's) and check it."""
    app.file_uploader[-1].set_value((name, data, "text/csv")).run()
    app.button(key="progress-check").click()
    return app.run()


def _counts(conn: Connection) -> tuple[int, ...]:
    conn.rollback()  # a fresh read of what the page committed
    return tuple(
        int(conn.scalar(select(func.count()).select_from(m)) or 0)
        for m in (ActionProgress, ActionProgressHistory, ActionProgressImport, MilestoneRecord)
    )


def _shown_text(app: AppTest) -> str:
    """Every text the page shows: messages, captions, metrics, headers, tables."""
    parts = []
    for kind in ("markdown", "caption", "error", "info", "success", "warning", "subheader", "title"):
        parts += [str(e.value) for e in app.get(kind)]
    parts += [f"{m.label} {m.value}" for m in app.metric]
    parts += [d.value.to_csv() for d in app.dataframe]
    return "\n".join(parts)


# --- who sees it --------------------------------------------------------------------------------


def test_an_anonymous_session_gets_one_line_and_no_widget_of_the_section(page):
    page.run()
    assert not page.exception
    assert not page.file_uploader and not page.get("download_button")
    assert "Plan suivi" not in [s.label for s in page.selectbox]
    assert "Suivi des fiches-action" not in [s.value for s in page.subheader]
    lines = [c.value for c in page.caption if "Suivi des fiches-action" in c.value]
    assert lines == [
        "Suivi des fiches-action : importer un fichier de suivi demande aussi le rôle de gestionnaire de données (connexion ci-dessus)."
    ]


def test_the_panels_check_the_role_themselves(database, monkeypatch, password_hash):
    """A page that called the panels with a user name but no signed-in session gets no widget."""
    import streamlit as st

    monkeypatch.setenv("OBSERVATOIRE_DATABASE_URL", database)
    monkeypatch.setenv(auth.ENV_USER, "gestion")
    monkeypatch.setenv(auth.ENV_HASH, password_hash)
    st.cache_data.clear()
    st.cache_resource.clear()

    def script() -> None:
        from ui import progress_import_panel as panel

        panel.progress_import_section("gestion")
        panel.plan_choice("gestion")
        panel.imports_panel("isere-palhdi-2014-2020", "gestion")

    app = AppTest.from_function(script, default_timeout=60).run()
    assert not app.exception
    assert not app.file_uploader and not app.get("download_button") and not app.selectbox and not app.button
    assert [i.value for i in app.info] == [
        "Importer ou annuler un suivi des fiches-action demande le rôle de **gestionnaire de données** : rien n'a été écrit."
    ] * 2


# --- template -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "label"), [("xlsx", "Modèle Excel (.xlsx)"), ("csv", "Modèle CSV (pour Excel)")])
def test_the_template_is_made_on_click_and_imports_cleanly(page, deferred, conn, monkeypatch, fmt, label):
    from ui import progress_import_panel as panel

    made = []
    template = panel.progress_template
    monkeypatch.setattr(panel, "progress_template", lambda *a, **k: made.append(k["fmt"]) or template(*a, **k))
    _login(page)
    assert not page.exception
    assert [b.label for b in page.get("download_button")] == ["Modèle Excel (.xlsx)", "Modèle CSV (pour Excel)"]
    assert page.selectbox(key=f"progress-plan-{ISERE}").value == ISERE  # the default plan, as the sidebar's
    assert page.selectbox(key=f"progress-year-{ISERE}").value == 2020  # the plan's last year (2014–2020, past)
    assert made == []  # nothing built while the page draws
    name = f"suivi-{ISERE}-2020.{fmt}"
    data = deferred[name]()  # the click
    assert made == [fmt]
    preview = prepare_progress_import(conn, data, name, plan=ISERE)
    assert not preview.errors and not preview.ignored_columns
    assert preview.file_rows == preview.empty_rows == ISERE_TEMPLATE_ROWS


def test_the_template_follows_the_plan_and_year_chosen(page, deferred, conn):
    _login(page)
    page.selectbox(key=f"progress-plan-{ISERE}").set_value(SARTHE).run()
    page.selectbox(key=f"progress-year-{SARTHE}").set_value(2010).run()
    assert not page.exception
    data = deferred[f"suivi-{SARTHE}-2010.csv"]()
    assert data.decode("utf-8-sig").splitlines()[1].startswith(f"{SARTHE};")
    assert prepare_progress_import(conn, data, "modele.csv").plan == SARTHE


def test_the_template_uploaded_unchanged_writes_nothing(page, deferred, conn):
    before = _counts(conn)
    _login(page)
    name = f"suivi-{ISERE}-2020.xlsx"
    page.file_uploader[-1].set_value((name, deferred[name](), "application/octet-stream")).run()
    page.button(key="progress-check").click().run()
    metrics = {m.label: m.value for m in page.metric}
    assert (metrics["Lignes lues"], metrics["Erreurs"], metrics["Nouvelles"]) == (str(ISERE_TEMPLATE_ROWS), "0", "0")
    assert "Le fichier ne change rien au suivi enregistré : l'importer n'écrirait rien." in [i.value for i in page.info]
    page.button(key="progress-import").click().run()
    assert not page.exception
    assert "Le fichier ne change rien au suivi enregistré : rien n'a été écrit." in [i.value for i in page.info]
    assert _counts(conn) == before and "Aucun import de suivi pour ce plan." in [c.value for c in page.caption]


# --- check, import, revert ----------------------------------------------------------------------


def test_a_file_with_bad_lines_lists_every_error_and_cannot_be_imported(page, conn):
    before = _counts(conn)
    _login(page)
    bad = _csv(*GOOD_LINES, "3.1;2020;en cours;;;;;;;", f"9.9;2019;;;;{PERSON * 10};;-12;;")
    _check(page, bad)
    assert not page.exception
    metrics = {m.label: m.value for m in page.metric}
    assert metrics["Lignes lues"] == "6" and metrics["Erreurs"] == "4" and metrics["Nouvelles"] == "3"
    assert page.error[0].value.startswith("Fichier refusé : 4 erreur(s) sur 2 ligne(s) ; rien n'a été écrit.")
    report = page.table[0].value
    assert list(report.columns) == ["Ligne", "Colonne", "Valeur", "Explication"]
    assert report[["Ligne", "Colonne", "Valeur"]].values.tolist() == [
        [6, "État", "en cours"],
        [7, "Fiche", "9.9"],
        [7, "Pilote", ""],  # a text is never quoted: it may name people
        [7, "Moyens", "-12"],
    ]
    assert report["Explication"].iloc[0] == "n'est pas un état d'avancement (attendu : non engagée, engagée, réalisée ou abandonnée)"
    assert report["Explication"].iloc[3] == "est négatif : un montant ne peut pas être négatif"
    assert page.button(key="progress-import").disabled
    assert PERSON not in _shown_text(page) and "Doctrine adoptée" not in _shown_text(page)  # no text of the file echoed
    assert _counts(conn) == before


def test_a_file_that_cannot_be_read_says_why(page, conn):
    _login(page)
    _check(page, _csv("code;valeur", "1.1;3"))
    assert not page.exception
    assert "l'en-tête doit nommer au moins « fiche » et « annee »" in page.error[0].value
    assert not page.metric and not page.button(key="progress-check").disabled


def test_a_good_file_is_imported_listed_then_reverted(page, conn, monkeypatch):
    from ui import cache

    cleared = []
    monkeypatch.setattr(cache, "clear", lambda: cleared.append(True))
    before = _counts(conn)
    _login(page)
    assert "Aucun import de suivi pour ce plan." in [c.value for c in page.caption]
    _check(page, GOOD)
    metrics = {m.label: m.value for m in page.metric}
    assert (metrics["Nouvelles"], metrics["Modifiées"], metrics["Jalons"], metrics["Erreurs"]) == ("3", "0", "1", "0")
    assert PERSON not in _shown_text(page) and "Doctrine adoptée" not in _shown_text(page)
    page.button(key="progress-import").click().run()
    assert not page.exception and cleared
    assert [s.value for s in page.success if "Suivi importé" in s.value] == [
        "Suivi importé : import n° 1 ; 3 fiche(s) et année(s) enregistrée(s), 1 jalon(s). "
        "Pour revenir en arrière : « Annuler cet import » dans la liste « Imports de suivi réalisés » ci-dessous."
    ]
    assert page.file_uploader[-1].value is None  # the uploaded bytes are forgotten
    assert _counts(conn)[2] == before[2] + 1  # one import, however many rows
    conn.rollback()
    table = progress_table(conn, ISERE, 2020).set_index("action_code")
    assert table.loc["1.1", "state"] == "realisee" and table.loc["1.1", "budget"] == 12500 and table.loc["1.2", "state"] == "non_engagee"
    assert milestone_history(conn, plan=ISERE).iloc[0]["state"] == "realise"
    listed = page.dataframe[-1].value
    assert listed[["N°", "Fichier", "Lignes", "Changements", "Importé par"]].values.tolist() == [[1, "suivi.csv", 4, 4, "gestion"]]
    assert listed["Annulé le"].isna().all()

    revert = page.button(key="progress-revert")
    assert revert.disabled  # until confirmed
    page.checkbox(key="progress_import_revert_confirmed").check().run()
    page.button(key="progress-revert").click().run()
    assert not page.exception
    assert any(s.value.startswith("Import de suivi n° 1 annulé : 3 fiche(s) et année(s) rétablie(s), 1 jalon(s)") for s in page.success)
    assert page.dataframe[-1].value["Annulé par"].tolist() == ["gestion"]
    assert not page.get("checkbox")  # nothing left to revert
    conn.rollback()
    assert progress_table(conn, ISERE, 2020)["state"].isna().all()
    assert milestone_history(conn, plan=ISERE).iloc[0]["state"] == "a_renseigner"


def test_a_revert_blocked_by_a_later_change_shows_why_and_writes_nothing(page, conn, database):
    _login(page)
    _check(page, GOOD)
    page.button(key="progress-import").click().run()
    engine = make_engine(database)
    with engine.begin() as other:  # another session changes a fiche the import wrote
        set_progress(other, plan=ISERE, action="1.2", year=2020, user="bruno", state="engagée")
    engine.dispose()
    before = _counts(conn)
    page.checkbox(key="progress_import_revert_confirmed").check().run()
    page.button(key="progress-revert").click().run()
    assert not page.exception
    refusal = page.error[-1].value
    assert refusal.startswith("L'import de suivi n° 1 ne peut pas être annulé : des fiches ont été modifiées depuis")
    assert "fiche 1.2 en 2020" in refusal
    assert _counts(conn) == before
    assert page.dataframe[-1].value["Annulé le"].isna().all()


def test_an_import_after_a_reverted_one_is_listed_with_it(page, conn):
    _login(page)
    _check(page, GOOD)
    page.button(key="progress-import").click().run()
    page.checkbox(key="progress_import_revert_confirmed").check().run()
    page.button(key="progress-revert").click().run()
    _check(page, GOOD)
    page.button(key="progress-import").click().run()
    assert not page.exception
    listed = page.dataframe[-1].value
    assert listed["N°"].tolist() == [2, 1] and listed["Annulé le"].notna().tolist() == [False, True]


# --- in the app ---------------------------------------------------------------------------------


def test_in_the_app_the_plan_defaults_to_the_view_s_plan(database, monkeypatch, password_hash):
    monkeypatch.setenv("OBSERVATOIRE_DATABASE_URL", database)
    monkeypatch.setenv(auth.ENV_USER, "gestion")
    monkeypatch.setenv(auth.ENV_HASH, password_hash)
    app = open_page(new_app(), "pages/import_donnees.py", {"plan": SARTHE})
    assert not app.exception
    app.text_input[0].input("gestion")
    app.text_input[1].input(PASSWORD)
    next(b for b in app.button if b.label == "Se connecter").click()
    app.run()
    assert not app.exception
    assert app.selectbox(key=f"progress-plan-{SARTHE}").value == SARTHE
    assert app.selectbox(key=f"progress-year-{SARTHE}").value == 2012


def test_the_page_stays_free_of_file_texts_in_its_issue_values(page, conn):
    """Texts too long are reported without quoting them (the check's rule, kept on the page)."""
    _login(page)
    _check(page, _csv(HEADER, f"1.1;2020;;{PERSON * 300};;;;;;"))
    report = page.table[0].value
    assert report[["Ligne", "Colonne", "Valeur"]].values.tolist() == [[2, "Réalisations", ""]]
    assert PERSON not in _shown_text(page)
