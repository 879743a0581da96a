"""A repository alone still starts (issue 16): the shared-data check run first by ``make run``, the
manifest of the reference files, ``fetch-reference`` against a local HTTP server serving files made
here, and the pages of a database that ``setup`` left without plans."""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_access import cli, fetch_reference
from data_access.fetch_reference import DIFFERS, DOWNLOADED, FAILED, PRESENT, UNAVAILABLE, fetch, summary
from data_access.reference_sources import APPLICATION, FILES, MAPS, TESTS, ReferenceFile, files_for
from data_access.settings import ROOT, load_settings
from data_access.vocabulary import PAGES

SHARED = load_settings().shared_data
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"données de référence absentes : {SHARED}")
CONTENT = bytes(range(256)) * 1200  # 300 ko: several chunks of the download loop
HEAVY = ("pandas", "numpy", "sqlalchemy", "yaml", "streamlit", "geopandas", "alembic")


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``server.files`` (path → bytes); a path in ``server.truncated`` announces its full
    length but sends half of it, then closes the connection."""

    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.requests.append(self.path)
        body = self.server.files.get(self.path)
        if body is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if self.path in self.server.truncated else body)

    def log_message(self, *args: object) -> None:  # keep the test output quiet
        pass


class _Server(http.server.ThreadingHTTPServer):
    files: dict[str, bytes]
    truncated: set[str]
    requests: list[str]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def server() -> Iterator[_Server]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.files, httpd.truncated, httpd.requests = {}, set(), []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def _entry(path: str, content: bytes, url: str | None, **fields: object) -> ReferenceFile:
    values: dict = dict(
        path=path,
        what="fichier d'essai",
        used_for=APPLICATION,
        source="serveur local de l'essai",
        licence="—",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        url=url,
    )
    return ReferenceFile(**(values | fields))


def _dead_url() -> str:
    """An address where nothing listens (a port just released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _leftovers(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*")) if folder.exists() else []


def test_a_download_is_verified_written_whole_and_not_repeated(server, tmp_path):
    server.files["/contours/communes.geojson"] = CONTENT
    entry = _entry("geo/communes.geojson", CONTENT, server.base + "/contours/communes.geojson")
    dest, progress = tmp_path / "partage", io.StringIO()
    [outcome] = fetch(dest, [entry], progress=progress)
    assert outcome.status == DOWNLOADED and "empreinte vérifiée" in outcome.message
    assert (dest / entry.path).read_bytes() == CONTENT
    assert _leftovers(dest) == [dest / "geo", dest / "geo" / "communes.geojson"], "no temporary file left"
    bar = progress.getvalue()
    assert entry.path in bar and "100 %" in bar and "307 ko / 307 ko" in bar
    [again] = fetch(dest, [entry], progress=io.StringIO())
    assert again.status == PRESENT and server.requests == ["/contours/communes.geojson"]


@pytest.mark.parametrize("case", ["autre contenu", "tronqué", "trop long"])
def test_a_wrong_download_is_refused_and_leaves_nothing_behind(server, tmp_path, case):
    served = b"x" * 1000 if case == "autre contenu" else CONTENT
    server.files["/f.csv"] = served
    if case == "tronqué":
        server.truncated.add("/f.csv")
    expected = CONTENT[:1000] if case == "trop long" else CONTENT
    entry = _entry("referentiel/f.csv", expected, server.base + "/f.csv")
    dest = tmp_path / "partage"
    dest.mkdir()
    [outcome] = fetch(dest, [entry], progress=io.StringIO())
    assert outcome.status == FAILED
    reason = {"autre contenu": "empreinte inattendue", "tronqué": "interrompu", "trop long": "envoie plus que"}[case]
    assert reason in outcome.message, outcome.message
    assert _leftovers(dest) == [], "neither the file, nor a temporary file, nor its folder"


def test_a_refused_replacement_keeps_the_file_in_place(server, tmp_path):
    dest = tmp_path / "partage"
    (dest / "reference").mkdir(parents=True)
    local = dest / "reference" / "f.csv"
    local.write_bytes(b"version locale\n")
    server.files["/reference/f.csv"] = b"ni l'une ni l'autre\n"
    entry = _entry("reference/f.csv", b"version de reference\n", None)
    [kept] = fetch(dest, [entry], url_base=server.base, progress=io.StringIO())
    assert kept.status == DIFFERS and "--replace" in kept.message and server.requests == []
    [refused] = fetch(dest, [entry], url_base=server.base, replace=True, progress=io.StringIO())
    assert refused.status == FAILED and "empreinte inattendue" in refused.message
    assert local.read_bytes() == b"version locale\n" and _leftovers(dest) == [dest / "reference", local]


def test_an_unreachable_server_is_one_french_line_per_file(tmp_path, capsys):
    url = _dead_url()
    [outcome] = fetch(tmp_path / "partage", [_entry("geo/c.geojson", CONTENT, url + "/c.geojson")], progress=io.StringIO())
    assert outcome.status == FAILED and "injoignable" in outcome.message and "connexion refusée" in outcome.message
    assert not (tmp_path / "partage").exists()
    code = fetch_reference.main(["--dest", str(tmp_path / "partage"), "--url-base", url])
    out, err = capsys.readouterr()
    assert code == 2
    assert "Erreur : " in err and "n'ont pas pu être obtenus" in err
    assert out.count("connexion refusée") == len(FILES)
    assert "Traceback" not in out + err


def test_an_http_error_is_named(server, tmp_path):
    [outcome] = fetch(tmp_path, [_entry("geo/absent.geojson", CONTENT, server.base + "/absent.geojson")], progress=io.StringIO())
    assert outcome.status == FAILED and "404" in outcome.message


def test_a_compiled_file_is_explained_rather_than_fetched(server, tmp_path):
    entry = _entry("referentiel/t.csv", b"a,b\n", None, derivation="sommes par territoire d'un autre fichier")
    [outcome] = fetch(tmp_path, [entry], progress=io.StringIO())
    assert outcome.status == UNAVAILABLE
    assert "fichier compilé" in outcome.message and "sommes par territoire" in outcome.message
    text = summary([outcome])
    assert "--url-base" in text and "1 fichier(s) indispensable(s) manquent encore" in text
    server.files["/referentiel/t.csv"] = b"a,b\n"
    [mirrored] = fetch(tmp_path, [entry], url_base=server.base + "/", progress=io.StringIO())
    assert mirrored.status == DOWNLOADED and (tmp_path / "referentiel" / "t.csv").read_bytes() == b"a,b\n"


def test_the_manifest_says_what_is_a_copy_and_what_was_compiled():
    assert len({entry.path for entry in FILES}) == len(FILES)
    for entry in FILES:
        assert entry.used_for in (APPLICATION, MAPS, TESTS), entry.path
        assert len(entry.sha256) == 64 and entry.size > 0 and entry.source and entry.licence, entry.path
        assert (entry.url is None) != (entry.derivation is None), f"{entry.path}: either an official address or how it was compiled"
        assert entry.url is None or entry.url.startswith("https://"), entry.path
    assert {e.path for e in files_for(MAPS)} == {"geo/isere-communes-2018.geojson", "geo/sarthe-communes-2018.geojson"}
    # what the plans and load_reference read
    needed = {e.path for e in files_for(APPLICATION)}
    for plan in (ROOT / "plans").glob("*/plan.yaml"):
        text = plan.read_text(encoding="utf-8")
        for line in text.splitlines():
            value = line.split(":", 1)[-1].strip()
            if value.startswith(("referentiel/", "reference/")):
                assert value in needed, f"{plan.parent.name} reads {value}, absent from the manifest"
    assert "reference/france-procedure-expulsion.csv" in needed


@needs_shared
def test_the_pinned_checksums_are_those_of_the_shared_files_of_today():
    for entry in FILES:
        path = SHARED / entry.path
        assert path.stat().st_size == entry.size, entry.path
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry.sha256, f"{entry.path} changed: update reference_sources.py"


@needs_shared
def test_a_mirror_of_the_shared_folder_restores_every_file_through_the_command_line(server, tmp_path, capsys):
    server.files = {"/miroir/" + entry.path: (SHARED / entry.path).read_bytes() for entry in FILES}
    dest = tmp_path / "partage"
    assert cli.main(["fetch-reference", "--dest", str(dest), "--url-base", server.base + "/miroir"]) == 0
    out, err = capsys.readouterr()
    assert f"Résumé : {len(FILES)} fichier(s) téléchargé(s)" in out
    assert err.count("100 %") == len(FILES)
    for entry in FILES:
        assert (dest / entry.path).read_bytes() == (SHARED / entry.path).read_bytes()
    assert not [p for p in dest.rglob("*") if p.name.endswith(".part")]


def _without_dependencies(module: str, *args: str, shared: Path) -> subprocess.CompletedProcess[str]:
    """``python -m module args`` with the project's dependencies made unimportable, as before the
    virtual environment exists."""
    code = (
        "import runpy, sys\n"
        f"for name in {HEAVY!r}:\n"
        "    sys.modules[name] = None\n"
        f"sys.argv = [{module!r}, *{list(args)!r}]\n"
        f"runpy.run_module({module!r}, run_name='__main__', alter_sys=True)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OBSERVATOIRE_")} | {"OBSERVATOIRE_SHARED_DATA": str(shared)}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_the_check_lists_the_files_their_sources_and_the_fetch_command(tmp_path):
    result = _without_dependencies("data_access.check_shared", shared=tmp_path / "absent")
    assert result.returncode == 2, result.stderr
    message = result.stderr
    assert "Traceback" not in message and "Rien n'a été installé" in message and str(tmp_path / "absent") in message
    for entry in files_for(APPLICATION, MAPS):
        assert f"- {entry.path} : " in message
    assert "Licence Ouverte / Etalab 2.0" in message and "gregoiredavid/france-geojson" in message
    assert files_for(MAPS)[0].url in message and "compilé, non téléchargeable tel quel" in message
    assert "python3 -m data_access.fetch_reference" in message and "python -m data_access fetch-reference" in message


@needs_shared
def test_the_check_passes_with_the_shared_data_and_only_notes_missing_outlines(tmp_path):
    assert _without_dependencies("data_access.check_shared", shared=SHARED).returncode == 0
    partial = tmp_path / "partage"
    for entry in files_for(APPLICATION):
        (partial / entry.path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHARED / entry.path, partial / entry.path)
    result = _without_dependencies("data_access.check_shared", shared=partial)
    assert result.returncode == 0, result.stderr
    assert "geo/isere-communes-2018.geojson" in result.stderr and "referentiel/" not in result.stderr


def test_fetch_reference_runs_before_the_virtual_environment_exists(tmp_path):
    result = _without_dependencies("data_access.fetch_reference", "--url-base", _dead_url(), shared=tmp_path / "partage")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "connexion refusée" in result.stdout and f"Données de référence : {tmp_path / 'partage'}" in result.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make absent")
def test_make_run_checks_the_shared_data_before_installing_anything():
    lines = subprocess.run(
        ["make", "--no-print-directory", "-n", "-B", "run"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout.splitlines()
    assert "data_access.check_shared" in lines[0], lines
    assert any("-m venv" in line for line in lines[1:]) and any("pip install" in line for line in lines[1:])


@pytest.fixture(scope="module")
def planless_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database ``setup`` leaves when the shared data is missing: schema and catalogue, no plan."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sans-plan') / 'observatoire.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OBSERVATOIRE_SHARED_DATA", str(tmp_path_factory.mktemp("partage-absent") / "data"))
        assert cli.main(["--database-url", url, "setup"]) == 2
    return url


def test_setup_without_shared_data_stops_with_a_french_message(planless_database, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("OBSERVATOIRE_SHARED_DATA", str(tmp_path / "absent"))
    assert cli.main(["--database-url", planless_database, "setup"]) == 2
    err = capsys.readouterr().err
    assert "Fichier de référence introuvable" in err and "OBSERVATOIRE_SHARED_DATA" in err and "Traceback" not in err


@pytest.mark.parametrize("page", [info.script for info in PAGES])
def test_every_page_of_a_database_without_plans_says_what_to_run(planless_database, monkeypatch, page):
    import streamlit as st

    monkeypatch.setenv("OBSERVATOIRE_DATABASE_URL", planless_database)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] and all("Aucun plan n'est chargé dans la base" in e.value for e in at.error)
    assert not [e.value for e in at.error if "Référence de l'erreur" in e.value]


def test_a_database_emptied_while_the_app_runs_still_says_what_to_run(planless_database, monkeypatch):
    import streamlit as st

    from ui import boundary

    monkeypatch.setenv("OBSERVATOIRE_DATABASE_URL", planless_database)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    boundary._ready()["ok"] = True  # the server answered with a plan earlier (e.g. before « make clean-db »)
    try:
        at.run()
    finally:
        st.cache_resource.clear()  # the memo must not reach the next test
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] and all("Aucun plan n'est chargé dans la base" in e.value for e in at.error)
