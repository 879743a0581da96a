"""Never an error box: the app and the command lines turn every error into French, with a reference
that leads to the traceback in the log (ui/boundary.py, data_access/logs.py)."""

from __future__ import annotations

import logging
import re
import sys

import pytest
from google.protobuf import text_format
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError
from streamlit.errors import FragmentHandledException
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.testing.v1 import AppTest

from data_access import logs
from data_access.db import make_engine, run_migrations
from tests.conftest import ROOT
from ui import boundary

REFERENCE = re.compile(r"Référence de l'erreur : \*\*([0-9a-f]{8})\*\*")
CLI_REFERENCE = re.compile(r"^Erreur inattendue \(référence ([0-9a-f]{8})\) : .+$", re.MULTILINE)


def _app(monkeypatch: pytest.MonkeyPatch, url: str) -> AppTest:
    monkeypatch.setenv("OBSERVATOIRE_DATABASE_URL", url)
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()  # cached results, engines and the « database ready » memo
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)


def _texts(at: AppTest) -> str:
    """Every element and block of the run, main area and sidebar, as protobuf text."""
    parts: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(text_format.MessageToString(proto, as_utf8=True))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def _assert_nothing_english(at: AppTest, *words: str) -> None:
    assert not at.exception, [e.value for e in at.exception]
    shown = _texts(at)
    for word in ("This app has encountered an error", "Traceback", "Error:", "sqlalchemy", *words):
        assert word not in shown, word


@pytest.fixture
def demo_url(database_url: str) -> str:
    if not database_url.startswith("sqlite"):
        pytest.skip("the app tests run once, on SQLite")
    return database_url


def test_an_exception_in_a_page_is_a_french_message_whose_reference_is_in_the_log(demo_url, monkeypatch, caplog):
    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("data_access.overview.family_tiles", boom)  # called by the home page (vue d'ensemble)
    at = _app(monkeypatch, demo_url)
    with caplog.at_level(logging.ERROR, logger="ui.boundary"):
        at.run()
    _assert_nothing_english(at, "boom", "RuntimeError")
    assert len(at.error) == 1
    message = at.error[0].value
    assert "pas pu être affichée" in _texts(at), "the walk over the elements sees the message"
    assert "Cette vue n'a pas pu être affichée." in message and "filtre" in message and "recharger" in message
    assert "gestionnaire des données" in message
    reference = REFERENCE.search(message)
    assert reference, message
    records = [r for r in caplog.records if r.name == "ui.boundary" and reference.group(1) in r.getMessage()]
    assert len(records) == 1 and records[0].exc_info is not None
    assert "Traceback" in caplog.text and "RuntimeError: boom" in caplog.text
    assert at.sidebar.selectbox, "the sidebar filters were built before the page failed"


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
def test_an_unreachable_database_is_explained_in_french(kind, tmp_path, monkeypatch, caplog):
    if kind == "postgresql":
        pytest.importorskip("psycopg")
        url = "postgresql+psycopg://postgres@127.0.0.1:1/nope"  # nothing listens on port 1
    else:
        (tmp_path / "not-a-folder").write_text("")  # a file where the database's folder should be
        url = f"sqlite:///{tmp_path / 'not-a-folder' / 'sub' / 'observatoire.db'}"
    at = _app(monkeypatch, url)
    with caplog.at_level(logging.ERROR, logger="ui.boundary"):
        at.run()
    _assert_nothing_english(at, "127.0.0.1", str(tmp_path))
    assert len(at.error) == 1
    message = at.error[0].value
    assert "La base de données est injoignable" in message
    assert "make run" in message and "OBSERVATOIRE_DATABASE_URL" in message
    reference = REFERENCE.search(message)
    assert reference and reference.group(1) in caplog.text
    assert not at.sidebar.selectbox, "no filters without a database"


def test_sqlite_unable_to_open_the_file_is_unreachable():
    engine = create_engine("sqlite:////no-such-folder-anywhere/observatoire.db")  # no make_engine: nothing creates the folder
    with pytest.raises(OperationalError) as raised:
        engine.connect()
    assert "unable to open database file" in str(raised.value)
    assert boundary.classify(raised.value) == boundary.Problem.UNREACHABLE
    assert boundary.classify(ConnectionRefusedError(111, "Connection refused")) == boundary.Problem.UNREACHABLE
    assert boundary.classify(RuntimeError("boom")) == boundary.Problem.UNEXPECTED


@pytest.mark.parametrize("schema", [True, False], ids=["migrated", "empty-file"])
def test_a_database_without_plan_says_what_to_run(schema, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'vide.db'}"
    if schema:
        run_migrations(url)
    at = _app(monkeypatch, url)
    at.run()
    _assert_nothing_english(at, str(tmp_path))
    assert len(at.error) == 1
    message = at.error[0].value
    assert "Aucun plan n'est chargé dans la base" in message and "python -m data_access setup" in message
    assert not at.sidebar.selectbox


def test_a_database_behind_the_code_says_to_apply_the_migrations(tmp_path, monkeypatch):
    """A database of an earlier version (a column the code reads is missing) names the command to run."""
    url = f"sqlite:///{tmp_path / 'ancienne.db'}"
    run_migrations(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE plan DROP COLUMN is_default")
    engine.dispose()
    at = _app(monkeypatch, url)
    at.run()
    _assert_nothing_english(at, str(tmp_path))
    assert "n'est pas à jour" in at.error[0].value and "python -m data_access setup" in at.error[0].value


@pytest.mark.parametrize(
    "control",
    [StopException(), RerunException(RerunData()), FragmentHandledException(RuntimeError("déjà affichée"))],
    ids=["st.stop", "st.rerun/st.switch_page", "fragment"],
)
def test_streamlit_control_flow_passes_through(control, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(boundary.st, "error", lambda body, **_: shown.append(body))
    with pytest.raises(type(control)), boundary.guard():
        raise control
    assert not shown


def test_the_guard_is_also_a_decorator(monkeypatch, caplog):
    shown: list[str] = []
    monkeypatch.setattr(boundary.st, "error", lambda body, **_: shown.append(body))

    @boundary.guard()
    def fragment() -> None:
        raise KeyError("/srv/secret/path")

    with caplog.at_level(logging.ERROR, logger="ui.boundary"):
        fragment()
    assert len(shown) == 1 and "/srv/secret/path" not in shown[0]
    reference = REFERENCE.search(shown[0])
    assert reference and reference.group(1) in caplog.text and "/srv/secret/path" in caplog.text


@pytest.fixture
def restore_logging():
    """Logger levels and root handlers as they were before the test."""
    root = logging.getLogger()
    handlers = list(root.handlers)
    levels = {name: logging.getLogger(name).level for name in logs.PROJECT_LOGGERS}
    yield
    root.handlers[:] = handlers
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_configure_logging_is_idempotent_and_reads_the_level(restore_logging, monkeypatch, capsys):
    monkeypatch.delenv(logs.LEVEL_VARIABLE, raising=False)
    logs.configure_logging()
    logs.configure_logging()
    assert sum(isinstance(h, logs._StderrHandler) for h in logging.getLogger().handlers) == 1
    assert logging.getLogger("ui").level == logging.INFO
    monkeypatch.setenv(logs.LEVEL_VARIABLE, "debug")
    logs.configure_logging()
    assert logging.getLogger("data_access").level == logging.DEBUG
    assert sum(isinstance(h, logs._StderrHandler) for h in logging.getLogger().handlers) == 1
    monkeypatch.setenv(logs.LEVEL_VARIABLE, "bavard")
    logs.configure_logging()
    assert logging.getLogger("reporting").level == logging.INFO
    logging.getLogger("data_access.test").info("une ligne")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO data_access\.test: une ligne", line), line


def test_the_log_level_setting_is_documented():
    assert f"`{logs.LEVEL_VARIABLE}`" in (ROOT / "README.md").read_text(encoding="utf-8")


def _boom(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("boom")


def _data_access(monkeypatch, tmp_path, _demo_url) -> list[str]:
    monkeypatch.setattr("data_access.cli.database_status", _boom)
    return ["--database-url", f"sqlite:///{tmp_path / 'cli.db'}", "status"]


def _reporting(monkeypatch, tmp_path, _demo_url) -> list[str]:
    monkeypatch.setattr("reporting.__main__.bilan_xlsx", _boom)
    out = tmp_path / "bilan.xlsx"
    return ["--database-url", f"sqlite:///{tmp_path / 'cli.db'}", "bilan", "--plan", "x", "--annee", "2024", "--out", str(out)]


def _geo(monkeypatch, _tmp_path, demo_url) -> list[str]:
    monkeypatch.setattr("geo.__main__.load_levels", _boom)
    return ["--database-url", demo_url, "build", "--hors-ligne", "--departement", "38"]


@pytest.mark.parametrize(
    ("module", "arguments"), [("data_access.cli", _data_access), ("reporting.__main__", _reporting), ("geo.__main__", _geo)]
)
def test_an_unexpected_cli_error_is_logged_with_its_traceback_and_told_in_french(
    module, arguments, demo_url, tmp_path, monkeypatch, capsys, caplog, restore_logging
):
    __import__(module)
    main = sys.modules[module].main
    monkeypatch.delenv(logs.LEVEL_VARIABLE, raising=False)
    argv = arguments(monkeypatch, tmp_path, demo_url)
    with caplog.at_level(logging.ERROR):
        code = main(argv)
    assert code == 1
    err = capsys.readouterr().err
    french = CLI_REFERENCE.findall(err)
    assert len(french) == 1, err
    assert err.strip().splitlines()[-1].startswith("Erreur inattendue (référence "), "the French line comes last"
    records = [r for r in caplog.records if french[0] in r.getMessage()]
    assert len(records) == 1 and records[0].exc_info is not None and records[0].exc_info[0] is RuntimeError
    assert "Traceback" in caplog.text and "RuntimeError: boom" in caplog.text


def test_a_charts_data_fragment_is_guarded_on_its_own(demo_url, monkeypatch, caplog):
    """« Voir les données » and the downloads are a fragment (rerun alone, outside the page's
    guard): its failure is a French message under its chart, and the page's other charts are drawn."""

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    at = _app(monkeypatch, demo_url)
    at.switch_page("pages/fsl.py").run()
    charts = len(at.get("plotly_chart"))
    assert charts >= 2 and not at.error
    monkeypatch.setattr("ui.render._downloads", boom)
    with caplog.at_level(logging.ERROR, logger="ui.boundary"):
        at.run()
    _assert_nothing_english(at, "boom", "RuntimeError")
    assert len(at.get("plotly_chart")) == charts  # every chart still drawn
    assert len(at.error) == charts and all("pas pu être affichée" in e.value for e in at.error)
