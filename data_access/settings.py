"""Typed settings read from the environment (prefix ``OBSERVATOIRE_``).

Every setting has a default and one line of help; ``SETTINGS_HELP`` is the list the README
documents (a test checks that each one appears there).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SETTINGS_HELP: dict[str, str] = {
    "OBSERVATOIRE_DATABASE_URL": "URL SQLAlchemy de la base (défaut : sqlite:///data/observatoire.db)",
    "OBSERVATOIRE_SHARED_DATA": "dossier des données de référence (défaut : ../shared/data à côté du dépôt)",
    "OBSERVATOIRE_GEO_SOURCE": "fichier ou dossier des contours communaux (défaut : <données de référence>/geo)",
    "OBSERVATOIRE_GEO_CACHE": "dossier des couches cartographiques construites (défaut : data/geo)",
    "OBSERVATOIRE_TEST_POSTGRES_URL": "URL d'un serveur PostgreSQL pour rejouer les tests de base de données",
    "OBSERVATOIRE_ADMIN_USER": "identifiant du compte local de gestionnaire de données (import, annulation)",
    "OBSERVATOIRE_ADMIN_PASSWORD_HASH": "empreinte argon2 de son mot de passe (python -m data_access hash-password)",
    "OBSERVATOIRE_LOG_LEVEL": "niveau du journal du serveur et des commandes (DEBUG, INFO, WARNING, ERROR ; défaut : INFO)",
}


def _absolute_sqlite(url: str) -> str:
    """Resolve a relative SQLite path against the repository root, whatever the working directory."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(ROOT / url[len(prefix) :])
    return url


@dataclass(frozen=True)
class Settings:
    database_url: str
    shared_data: Path
    geo_source: Path | None
    geo_cache: Path


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Settings from ``env`` (default ``os.environ``); relative paths resolve against the repo root."""
    env = dict(os.environ) if env is None else env
    shared = Path(env.get("OBSERVATOIRE_SHARED_DATA") or ROOT.parent / "shared" / "data")
    geo_source = env.get("OBSERVATOIRE_GEO_SOURCE")
    return Settings(
        database_url=_absolute_sqlite(env.get("OBSERVATOIRE_DATABASE_URL") or "sqlite:///data/observatoire.db"),
        shared_data=shared if shared.is_absolute() else ROOT / shared,
        geo_source=Path(geo_source) if geo_source else None,
        geo_cache=Path(env.get("OBSERVATOIRE_GEO_CACHE") or ROOT / "data" / "geo"),
    )
