"""No pause after each run, and a warm start (issue 19): Streamlit's post-run full collection is off
in the configuration the app runs with; the start-up warm-up logs its failures, never raises them."""

from __future__ import annotations

import gc
import logging
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from ui import warmup

ROOT = Path(__file__).resolve().parent.parent
PRINT_OPTION = (
    "from streamlit import config; config._main_script_path = 'app.py'; "
    "config.get_config_options(force_reparse=True); print(config.get_option('runner.postScriptGC'))"
)


def test_the_post_run_full_collection_is_off_in_the_app_config():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False


def test_streamlit_reads_it_from_the_app_folder():
    # what `streamlit run app.py` (make run) resolves, with the repository's .streamlit/config.toml
    shown = subprocess.run(
        [sys.executable, "-c", PRINT_OPTION], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    ).stdout.split()
    assert shown == ["False"]


def test_the_app_starts_the_warm_up_in_its_lifespan():
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    assert "lifespan=warmup.lifespan" in source


def test_a_failing_warm_up_is_logged_not_raised(caplog):
    def broken() -> None:
        raise RuntimeError("base injoignable")

    with caplog.at_level(logging.WARNING, logger="ui.warmup"):
        thread = warmup.start(broken)
        thread.join(10)
    assert not thread.is_alive() and thread.daemon
    record = next(r for r in caplog.records if r.name == "ui.warmup")
    assert record.message == "warm-up stopped" and record.exc_info and "base injoignable" in str(record.exc_info[1])


def test_a_failing_view_is_logged_and_the_others_are_built(monkeypatch, caplog):
    from data_access.vocabulary import HOME_PAGE, SEANCE_PAGES
    from ui import cache
    from views import params as view_params

    built: list[str] = []

    def view(page, params):
        built.append(page.value)
        if page != HOME_PAGE:
            raise ValueError("vue cassée")

    monkeypatch.setattr(view_params, "parse", lambda query, loader: view_params.Parsed(object(), ()))  # type: ignore[arg-type]
    monkeypatch.setattr(cache, "view", view)
    monkeypatch.setattr(gc, "freeze", lambda: None)  # not this test process's objects
    with caplog.at_level(logging.WARNING, logger="ui.warmup"):
        failed = warmup.warm()
    assert built[0] == HOME_PAGE.value and sorted(built) == sorted(p.value for p in SEANCE_PAGES)
    assert failed == len(SEANCE_PAGES) - 1
    assert sum("failed" in r.getMessage() for r in caplog.records if r.name == "ui.warmup") == failed


@pytest.mark.parametrize("thread_name", [warmup.THREAD_NAME, "ScriptRunner.scriptThread"])
def test_only_the_warm_up_threads_context_warning_is_silenced(thread_name):
    record = logging.LogRecord("streamlit", logging.WARNING, __file__, 1, "Thread 'x': missing ScriptRunContext!", None, None)
    record.threadName = thread_name
    assert warmup._NoContextWarning().filter(record) is (thread_name != warmup.THREAD_NAME)


def test_the_warm_up_gives_way_to_running_scripts_for_a_bounded_time(monkeypatch):
    assert warmup._a_script_is_running() is False  # no runtime in this process: never waits
    calls: list[bool] = []
    monkeypatch.setattr(warmup, "_a_script_is_running", lambda: calls.append(True) or True)
    warmup._wait_for_idle(limit=0.3)  # a visitor's script that never ends: the warm-up goes on after the limit
    assert len(calls) >= 2


@pytest.mark.parametrize(("setting", "started"), [("0", False), ("1", True)])
def test_observatoire_warmup_0_turns_the_warm_up_off(monkeypatch, setting, started):
    import asyncio

    calls: list[object] = []
    monkeypatch.setenv("OBSERVATOIRE_WARMUP", setting)
    monkeypatch.setattr(warmup, "start", lambda *args: calls.append(args))

    async def serve() -> None:
        async with warmup.lifespan(None):
            pass

    asyncio.run(serve())
    assert bool(calls) is started
