"""Time from ``make run`` (everything already installed and built) to the first page drawn.

``make run`` is started with the database to measure; the clock stops when headless Chromium
(Playwright, ``/usr/bin/chromium``) shows the overview page's title with no script still running.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request

from benchmarks.databases import ROOT
from benchmarks.stats import Timing

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def first_page_seconds(url: str, timeout: float = 180) -> float:
    """One run: seconds from ``make run`` to the overview page drawn in the browser."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    env = {**os.environ, "OBSERVATOIRE_DATABASE_URL": url}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        start = time.perf_counter()
        process = subprocess.Popen(
            ["make", "--no-print-directory", "run", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            while not _healthy(port):
                if process.poll() is not None or time.perf_counter() - start > timeout:
                    raise RuntimeError(f"make run did not serve the app (exit {process.returncode})")
                time.sleep(0.05)
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.goto(f"http://127.0.0.1:{port}/", timeout=timeout * 1000)
            page.wait_for_selector('h1:has-text("Vue d\'ensemble")', timeout=timeout * 1000)
            page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=timeout * 1000)
            return time.perf_counter() - start
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)
            browser.close()


def startup_timing(url: str, repeat: int) -> Timing:
    return Timing.of([first_page_seconds(url) for _ in range(repeat)])
