"""``python3 -m data_access.check_shared``: is the shared reference data there? Run by ``make run``
and ``make setup`` before anything is installed.

Exit code 0 when every file the application needs is in the shared data folder (missing map
outlines are only reported: pages then show a French message instead of maps); otherwise exit
code 2 and a French message listing the missing files, where each comes from (official source,
licence, whether it can be downloaded as such) and the command that fetches them.

Standard library only (no pandas, no SQLAlchemy): it runs with the system Python, before the
virtual environment exists.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from data_access.reference_sources import APPLICATION, MAPS, ReferenceFile, files_for
from data_access.settings import load_settings

FETCH_COMMANDS = (
    "python3 -m data_access.fetch_reference  (avant l'installation ; une fois installé : .venv/bin/python -m data_access fetch-reference)"
)


def missing_files(shared: Path, entries: Sequence[ReferenceFile]) -> list[ReferenceFile]:
    """The entries with no file in ``shared``."""
    return [entry for entry in entries if not (shared / entry.path).is_file()]


def describe(entry: ReferenceFile) -> str:
    """A few indented French lines: the file, its source and licence, and how it can be obtained."""
    how = (
        f"téléchargeable tel quel : {entry.url}"
        if entry.url
        else f"compilé, non téléchargeable tel quel : {entry.derivation}.\n      À copier depuis le dossier partagé de l'équipe ou un miroir."
    )
    return f"  - {entry.path} : {entry.what}\n      source : {entry.source}\n      licence : {entry.licence}\n      {how}"


def message(shared: Path, needed: Sequence[ReferenceFile], maps: Sequence[ReferenceFile]) -> str:
    """What to tell when files are missing (``needed``: blocking, ``maps``: optional)."""
    where = "n'existe pas" if not shared.exists() else "est incomplet"
    lines = []
    if needed:
        lines += [
            f"Données de référence manquantes : le dossier {shared} {where}. Rien n'a été installé.",
            "Il est lu dans OBSERVATOIRE_SHARED_DATA, sinon dans ../shared/data à côté du dépôt.",
            "",
            "Fichiers indispensables (plans, territoires, séries de référence) :",
            *(describe(entry) for entry in needed),
        ]
    if maps:
        lines += [
            "" if needed else f"Données de référence : {shared} ; contours des communes absents.",
            "Contours des communes (facultatifs : sans eux, les pages affichent un message à la place des cartes) :",
            *(describe(entry) for entry in maps),
        ]
    lines += [
        "",
        "Pour les obtenir :",
        f"  {FETCH_COMMANDS}",
        "  télécharge depuis leur source officielle, en vérifiant leur empreinte sha256, les fichiers publiés tels quels,",
        "  et explique ce qu'il ne peut pas télécharger ; --url-base URL lit tous les fichiers depuis un miroir du dossier partagé,",
        "  --dest DOSSIER les écrit ailleurs (indiquez alors ce dossier dans OBSERVATOIRE_SHARED_DATA).",
    ]
    if needed:
        lines.append("Relancez ensuite « make run ».")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    shared = load_settings().shared_data
    needed = missing_files(shared, files_for(APPLICATION))
    maps = missing_files(shared, files_for(MAPS))
    if needed:
        print(message(shared, needed, maps), file=sys.stderr)
        return 2
    if maps:
        print(message(shared, [], maps), file=sys.stderr)
    else:
        print(f"Données de référence : {shared}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
