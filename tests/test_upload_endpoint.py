"""Streamlit's upload endpoint, on a real server (``streamlit run app.py``): an anonymous session
cannot send files, so cannot fill the server's memory (``ui/upload_gate.py``)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.startup import free_port

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[tuple[str, int]]:
    """``streamlit run app.py`` on a free port: its address and process id."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the server test runs once, on SQLite")
    port = free_port()
    # no background warm-up: its caches would fill while the uploads are measured
    env = {**os.environ, "OBSERVATOIRE_DATABASE_URL": database_url, "OBSERVATOIRE_WARMUP": "0"}
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    address = f"127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if requests.get(f"http://{address}/_stcore/health", timeout=5).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or busy starting
                time.sleep(0.5)
        else:
            pytest.fail("streamlit did not start within 60 s")
        yield address, process.pid
    finally:
        process.terminate()
        process.wait(timeout=20)


async def _anonymous_uploads(address: str, bodies: list[bytes], pid: int | None = None) -> tuple[list[int | None], float]:
    """Open a visitor's session (the websocket a browser opens, one run of the home page), then
    send each body to the upload endpoint as the browser's uploader would, with the session's id
    and the XSRF token: the HTTP status of each (None: the server closed the connection first),
    and how much the server process ``pid`` grew (MB) while they were sent."""
    async with websockets.connect(f"ws://{address}/_stcore/stream", subprotocols=["streamlit"]) as stream:  # type: ignore[list-item]
        rerun = BackMsg()
        rerun.rerun_script.query_string = ""
        await stream.send(rerun.SerializeToString())
        session_id, finished = "", False
        while not finished:  # the run is over: what the server holds now is the page's
            message = ForwardMsg()
            message.ParseFromString(await asyncio.wait_for(stream.recv(), timeout=120))
            if message.WhichOneof("type") == "new_session":
                session_id = message.new_session.initialize.session_id
            finished = message.WhichOneof("type") == "script_finished"
        before = _rss_mb(pid) if pid else 0.0
        http = requests.Session()
        http.get(f"http://{address}/_stcore/health", timeout=10)  # sets the XSRF cookie
        token = http.cookies.get("_streamlit_xsrf") or ""
        statuses: list[int | None] = []
        for number, body in enumerate(bodies):
            url = f"http://{address}/_stcore/upload_file/{session_id}/fichier-{number}"
            try:
                answer = http.put(url, files={"file": ("a.csv", body, "text/csv")}, headers={"X-Xsrftoken": token}, timeout=60)
                statuses.append(answer.status_code)
            except requests.ConnectionError:
                statuses.append(None)
        return statuses, (_rss_mb(pid) - before if pid else 0.0)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_an_anonymous_session_cannot_upload(server):
    address, _ = server
    assert asyncio.run(_anonymous_uploads(address, [b"code_insee;valeur\n38185;1\n"]))[0] == [403]


def test_anonymous_uploads_do_not_fill_the_servers_memory(server):
    """20 × 5 MB from one anonymous session (Streamlit alone kept them all until the session ended)."""
    address, pid = server
    statuses, growth = asyncio.run(_anonymous_uploads(address, [os.urandom(5 * MB) for _ in range(20)], pid))
    assert set(statuses) <= {403, None}, statuses
    assert growth < 20, f"the server grew by {growth:.0f} MB"


@pytest.mark.parametrize(
    ("english", "french"),
    [
        ("File must be 50.0MB or smaller.", "Fichier trop volumineux : 50 Mo au plus."),
        ("text/plain files are not allowed.", "Fichier refusé : le type « text/plain » n'est pas accepté ici."),
        ("File size is too small.", "Fichier vide : choisissez un fichier qui contient des données."),
        ("Only one file is allowed.", "Un seul fichier à la fois."),
    ],
)
def test_the_uploaders_refusals_read_in_french(english, french):
    """The browser's refusals (Streamlit's FileUploader) as the page's script rewrites them."""
    from ui.accessibility import PATTERNS

    rewritten = [
        re.sub(pattern, replacement.replace("$1", r"\1"), english) for pattern, replacement in PATTERNS if re.search(pattern, english)
    ]
    assert rewritten == [french]
