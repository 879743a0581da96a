"""``python -m data_access fetch-reference``: fetch the missing reference files into the shared
data folder, each checked against the sha256 pinned in ``data_access.reference_sources``.

A file published as such (the france-geojson outlines) is downloaded from its official address; a
file compiled from official sources cannot be, and the command says so, with its sources. With
``--url-base URL`` every file is fetched from a mirror of the shared folder instead
(``URL/<relative path>``, ``http(s)://`` or ``file://``), still checked against its sha256.

Each download shows its progress on stderr, is written under a temporary name in the target
folder and renamed once its checksum is right: a failed or refused download leaves nothing
behind. Network failures, checksum mismatches and unwritable folders end in one French line per
file and exit code 2, never in a traceback.

Standard library only, so that it also runs before the virtual environment exists:
``python3 -m data_access.fetch_reference``.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import socket
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from data_access.reference_sources import APPLICATION, FILES, MAPS, ReferenceFile
from data_access.settings import load_settings

TIMEOUT_S = 15.0  # per connection attempt and per read
CHUNK = 64 * 1024
PROGRESS_WIDTH = 24
PROGRESS_EVERY_S = 0.1


class FetchFailed(Exception):
    """A download did not succeed; ``str(error)`` is a short French reason."""


@dataclass(frozen=True)
class Outcome:
    """What happened to one file: ``status`` is one of PRESENT, DOWNLOADED, DIFFERS, UNAVAILABLE, FAILED."""

    entry: ReferenceFile
    status: str
    message: str

    @property
    def ok(self) -> bool:
        return self.status in (PRESENT, DOWNLOADED)


PRESENT = "present"
DOWNLOADED = "downloaded"
DIFFERS = "differs"  # a local file with another content, left as it is (--replace to replace it)
UNAVAILABLE = "unavailable"  # compiled file, no mirror given: cannot be fetched
FAILED = "failed"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def size_text(size: float) -> str:
    """« 613 ko », « 1,2 Mo » (decimal units, French decimal comma)."""
    if size < 1000:
        return f"{size:.0f} o"
    if size < 1_000_000:
        return f"{size / 1000:.0f} ko"
    return f"{size / 1_000_000:.1f} Mo".replace(".", ",")


def source_url(entry: ReferenceFile, url_base: str | None) -> str | None:
    """Where to fetch ``entry`` from: the mirror when given, else its official address (None: compiled file)."""
    if url_base:
        return url_base.rstrip("/") + "/" + urllib.parse.quote(entry.path)
    return entry.url


def _reason(error: BaseException, timeout: float) -> str:
    """A short French reason for a network failure."""
    if isinstance(error, urllib.error.HTTPError):
        return f"le serveur a répondu {error.code} {error.reason}"
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, socket.gaierror):
        return "adresse du serveur introuvable (pas de connexion à Internet ?)"
    if isinstance(reason, ConnectionRefusedError):
        return "connexion refusée (serveur arrêté ou injoignable)"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"pas de réponse en {timeout:.0f} s"
    if isinstance(reason, (http.client.IncompleteRead, ConnectionResetError, http.client.RemoteDisconnected)):
        return "transfert interrompu avant la fin du fichier"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or reason.__class__.__name__


class Progress:
    """One line per file on ``stream``: redrawn in place on a terminal, written once at the end otherwise."""

    def __init__(self, stream: TextIO, label: str, total: int) -> None:
        self.stream, self.label, self.total = stream, label, total
        self.live = bool(getattr(stream, "isatty", lambda: False)())
        self.last = 0.0

    def _line(self, done: int) -> str:
        share = min(done / self.total, 1.0) if self.total else 1.0
        filled = round(share * PROGRESS_WIDTH)
        bar = "#" * filled + "." * (PROGRESS_WIDTH - filled)
        return f"  {self.label} [{bar}] {share * 100:3.0f} % {size_text(done)} / {size_text(self.total)}"

    def update(self, done: int) -> None:
        now = time.monotonic()
        if self.live and now - self.last >= PROGRESS_EVERY_S:
            self.last = now
            self.stream.write("\r" + self._line(done))
            self.stream.flush()

    def finish(self, done: int, failed: bool = False) -> None:
        line = self._line(done) + (" — échec" if failed else "")
        self.stream.write(("\r" if self.live else "") + line + "\n")
        self.stream.flush()


def _missing_folders(folder: Path) -> list[Path]:
    """``folder`` and its ancestors that do not exist yet, deepest first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _remove_empty(folders: Sequence[Path]) -> None:
    for folder in folders:  # deepest first
        try:
            folder.rmdir()
        except OSError:
            return


def download(entry: ReferenceFile, url: str, target: Path, *, progress: TextIO, timeout: float = TIMEOUT_S) -> None:
    """Download ``url`` to ``target`` when its content has ``entry``'s size and sha256.

    The bytes go to a temporary file beside ``target``, renamed to ``target`` only once complete
    and verified; on any failure the temporary file (and any folder made for it) is removed and
    ``target`` is untouched.

    Raises
    ------
    FetchFailed
        Network failure, truncated transfer, more bytes than expected, checksum mismatch, folder
        not writable.
    """
    network_errors = (OSError, http.client.HTTPException, ValueError)  # URLError, HTTPError, timeouts are OSError
    try:
        response = urllib.request.urlopen(url, timeout=timeout)
    except network_errors as error:
        raise FetchFailed(f"{url} injoignable : {_reason(error, timeout)}") from error
    with response:
        created = _missing_folders(target.parent)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        except OSError as error:
            _remove_empty(created)
            raise FetchFailed(
                f"impossible d'écrire dans {target.parent} ({error.strerror or error}) ; "
                "choisissez un autre dossier avec --dest et indiquez-le dans OBSERVATOIRE_SHARED_DATA"
            ) from error
        temporary = Path(temporary_name)
        bar = Progress(progress, entry.path, entry.size)
        received = 0
        try:
            digest = hashlib.sha256()
            with os.fdopen(handle, "wb") as out:
                while True:
                    try:
                        chunk = response.read(CHUNK)
                    except network_errors as error:
                        raise FetchFailed(f"{url} : {_reason(error, timeout)}") from error
                    if not chunk:
                        break
                    received += len(chunk)
                    if received > entry.size:
                        raise FetchFailed(
                            f"{url} envoie plus que les {size_text(entry.size)} attendus : ce n'est pas le fichier de référence"
                        )
                    digest.update(chunk)
                    out.write(chunk)
                    bar.update(received)
                out.flush()
                os.fsync(out.fileno())
            announced = response.headers.get("Content-Length", "")
            if announced.isdigit() and received < int(announced):
                raise FetchFailed(f"{url} : transfert interrompu ({size_text(received)} reçus sur {size_text(int(announced))})")
            actual = digest.hexdigest()
            if actual != entry.sha256:
                raise FetchFailed(
                    f"empreinte inattendue pour {url} (sha256 {actual[:12]}…, attendu {entry.sha256[:12]}… ; {size_text(received)} reçus) : "
                    "fichier refusé, rien n'a été enregistré. La source a peut-être changé : signalez-le au gestionnaire des données."
                )
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            bar.finish(received, failed=True)
            temporary.unlink(missing_ok=True)
            _remove_empty(created)
            raise
        bar.finish(received)


def _unavailable(entry: ReferenceFile) -> str:
    pages = f" ; sources : {', '.join(entry.source_pages)}" if entry.source_pages else ""
    return f"non téléchargeable tel quel, fichier compilé : {entry.derivation}{pages}"


def fetch(
    dest: Path,
    entries: Sequence[ReferenceFile] = FILES,
    *,
    url_base: str | None = None,
    replace: bool = False,
    progress: TextIO | None = None,
    timeout: float = TIMEOUT_S,
) -> list[Outcome]:
    """Bring every file of ``entries`` into ``dest`` (the shared data folder); one Outcome per file.

    A file already there with its pinned sha256 is kept; one with another content is left as it
    is unless ``replace``. Nothing is raised for a file that cannot be fetched: its Outcome says why.
    """
    progress = sys.stderr if progress is None else progress
    outcomes = []
    for entry in entries:
        target = dest / entry.path
        if target.exists():
            if file_sha256(target) == entry.sha256:
                outcomes.append(Outcome(entry, PRESENT, "déjà présent, empreinte vérifiée"))
                continue
            if not replace:
                outcomes.append(
                    Outcome(
                        entry, DIFFERS, "présent mais différent de la version de référence : laissé tel quel (--replace pour le remplacer)"
                    )
                )
                continue
        url = source_url(entry, url_base)
        if url is None:
            outcomes.append(Outcome(entry, UNAVAILABLE, _unavailable(entry)))
            continue
        try:
            download(entry, url, target, progress=progress, timeout=timeout)
        except FetchFailed as error:
            outcomes.append(Outcome(entry, FAILED, str(error)))
        else:
            outcomes.append(Outcome(entry, DOWNLOADED, f"téléchargé depuis {url}, empreinte vérifiée"))
    return outcomes


def summary(outcomes: Sequence[Outcome]) -> str:
    """The French report printed after a fetch: one line per file, then what is still missing."""
    lines = [f"{o.entry.path} : {o.message}" for o in outcomes]
    downloaded = sum(o.status == DOWNLOADED for o in outcomes)
    missing = [o for o in outcomes if not o.ok]
    lines.append(f"Résumé : {downloaded} fichier(s) téléchargé(s), {sum(o.status == PRESENT for o in outcomes)} déjà présent(s).")
    blocking = [o for o in missing if o.entry.used_for == APPLICATION and o.status != DIFFERS]
    if blocking:
        lines.append(
            f"{len(blocking)} fichier(s) indispensable(s) manquent encore : « make run » s'arrêtera tant qu'ils ne sont pas "
            "dans le dossier des données de référence."
        )
    if any(o.status == UNAVAILABLE for o in missing):
        lines.append(
            "Les fichiers compilés ne sont publiés tels quels sur aucun site officiel : copiez-les depuis le dossier partagé "
            "de l'équipe, ou indiquez un miroir de ce dossier avec --url-base URL (empreintes vérifiées de même)."
        )
    if any(o.entry.used_for == MAPS and o.status in (FAILED, UNAVAILABLE) for o in missing):
        lines.append("Sans les contours des communes, l'application fonctionne sans cartes.")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``fetch-reference`` (shared by ``python -m data_access`` and this module)."""
    parser.add_argument(
        "--dest",
        type=Path,
        metavar="DOSSIER",
        help="dossier des données de référence (défaut : OBSERVATOIRE_SHARED_DATA, sinon ../shared/data à côté du dépôt)",
    )
    parser.add_argument(
        "--url-base",
        metavar="URL",
        help="miroir du dossier partagé (http(s):// ou file://) : chaque fichier est lu à URL/<chemin>, empreinte vérifiée",
    )
    parser.add_argument("--replace", action="store_true", help="remplace aussi les fichiers présents dont l'empreinte diffère")


def run(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Fetch, print the summary; 0 when every file is there with its pinned checksum, else 2."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    dest = args.dest or load_settings().shared_data
    print(f"Données de référence : {dest}", file=out, flush=True)
    outcomes = fetch(dest, url_base=args.url_base, replace=args.replace, progress=err)
    print(summary(outcomes), file=out, flush=True)
    failed = [o for o in outcomes if not o.ok]
    if failed:
        print(f"Erreur : {len(failed)} fichier(s) sur {len(outcomes)} n'ont pas pu être obtenus ou vérifiés (voir ci-dessus).", file=err)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser_class: type[argparse.ArgumentParser]
    try:  # the French argument parser of the command line, once the dependencies are installed
        from data_access.cli import FrenchArgumentParser

        parser_class = FrenchArgumentParser
    except ImportError:  # before the virtual environment exists
        parser_class = argparse.ArgumentParser
    parser = parser_class(
        prog="python -m data_access.fetch_reference",
        description="Télécharge les données de référence manquantes depuis leurs sources officielles (empreintes sha256 vérifiées).",
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except KeyboardInterrupt:
        print("\nInterrompu : les fichiers complets et vérifiés sont gardés, aucun fichier partiel.", file=sys.stderr)
        return 130
    except Exception as error:  # never a traceback for the user
        print(f"Erreur inattendue ({error.__class__.__name__}) : {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
