"""Time from ``make run`` (everything already installed and built) to the first page drawn.

``make run`` is started with the database to measure; the clock stops when headless Chromium
(Playwright, ``/usr/bin/chromium``) shows the overview page's title with no script still running.
Before the timed runs, one ``make setup`` (not timed) leaves the set-up stamp of that database:
the timed runs are restarts, where make skips the set-up step (issue 19). ``restart_phases`` also
times one run whose set-up step is made to run (``make -W <a plan file>``, nothing touched).

``python -m benchmarks.startup [--database-url URL] [--repetitions N]`` prints both.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import time
import urllib.request
from dataclasses import dataclass

from benchmarks.databases import ROOT
from benchmarks.stats import Timing

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
# make's « what if this file had just changed »: the set-up step runs, no file is modified
FORCE_SETUP = "-Wplans/isere-palhdi-2014-2020/plan.yaml"


@dataclass(frozen=True)
class Phases:
    """One ``make run``: seconds to the health endpoint answering, and to the first page painted."""

    healthy: float
    painted: float


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for a server started next)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(port: int) -> bool:
    """Whether the Streamlit server on ``port`` answers its health endpoint."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "OBSERVATOIRE_DATABASE_URL": url}


def prepare(url: str) -> None:
    """``make setup`` for ``url`` (installs and builds what is missing, then leaves its stamp)."""
    subprocess.run(["make", "--no-print-directory", "setup"], cwd=ROOT, env=_env(url), check=True, capture_output=True, timeout=900)


def make_run_phases(url: str, timeout: float = 180, make_args: tuple[str, ...] = ()) -> Phases:
    """One ``make run``: seconds to health and to the overview page drawn in the browser."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})  # the browser is ready before the clock starts
        start = time.perf_counter()
        process = subprocess.Popen(
            ["make", "--no-print-directory", *make_args, "run", f"PORT={port}"],
            cwd=ROOT,
            env=_env(url),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            while not healthy(port):
                if process.poll() is not None or time.perf_counter() - start > timeout:
                    raise RuntimeError(f"make run did not serve the app (exit {process.returncode})")
                time.sleep(0.02)
            answered = time.perf_counter() - start
            page.goto(f"http://127.0.0.1:{port}/", timeout=timeout * 1000)
            page.wait_for_selector('h1:has-text("Vue d\'ensemble")', timeout=timeout * 1000)
            page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=timeout * 1000)
            return Phases(answered, time.perf_counter() - start)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)
            browser.close()


def first_page_seconds(url: str, timeout: float = 180) -> float:
    """One restart: seconds from ``make run`` to the overview page drawn in the browser."""
    return make_run_phases(url, timeout).painted


def startup_timing(url: str, repeat: int) -> Timing:
    """``repeat`` restarts of ``make run`` (after one untimed ``make setup``): seconds to the first page painted."""
    prepare(url)
    return Timing.of([first_page_seconds(url) for _ in range(repeat)])


def restart_phases(url: str, repeat: int) -> tuple[list[Phases], Phases]:
    """``repeat`` restarts (set-up skipped), and one run whose set-up step runs."""
    prepare(url)
    restarts = [make_run_phases(url) for _ in range(repeat)]
    return restarts, make_run_phases(url, make_args=(FORCE_SETUP,))


def _fr(seconds: float) -> str:
    return f"{seconds:.2f}".replace(".", ",")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup", description="make run → première page affichée.")
    parser.add_argument("--database-url", default=os.environ.get("OBSERVATOIRE_DATABASE_URL", "sqlite:///data/observatoire.db"))
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()
    restarts, with_setup = restart_phases(args.database_url, args.repetitions)
    painted = statistics.median(p.painted for p in restarts)
    print(f"make run, installation faite ({args.repetitions} fois) :")
    print(f"  serveur prêt : {', '.join(_fr(p.healthy) for p in restarts)} s")
    print(f"  première page affichée : {', '.join(_fr(p.painted) for p in restarts)} s (médiane {_fr(painted)} s)")
    print(f"make run avec l'étape d'installation (un fichier de plan « modifié ») : prêt {_fr(with_setup.healthy)} s,")
    print(f"  première page affichée {_fr(with_setup.painted)} s")


if __name__ == "__main__":
    main()
