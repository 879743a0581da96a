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
    "OBSERVATOIRE_SEUIL_MENAGES": "ménages en dessous desquels le taux d'un territoire n'est pas calculé (effectif trop faible ; défaut : 100)",
    "OBSERVATOIRE_SEUIL_EVENEMENTS": "cas sur la période en dessous desquels le taux d'un territoire n'est pas calculé (défaut : 5)",
}

# Small numbers: a territory's rate is not computed under 100 households or under 5 cases over
# the period. A count of n cases varies by chance by about √n, a relative error of 1/√n: above
# 45 % under 5 cases (100 % for one case), so such a rate tells more about chance than about the
# territory; 5 is also the floor commonly used by statistical offices under which a small count is
# not published. Under 100 households one case more or less moves a rate per 1 000 by 10 or more,
# about twice the Isère rate of assignations a year: the one or two households that put a village
# at the top of a ranking (133 ‰).
DEFAULT_SEUIL_MENAGES = 100
DEFAULT_SEUIL_EVENEMENTS = 5


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
    seuil_menages: int = DEFAULT_SEUIL_MENAGES
    seuil_evenements: int = DEFAULT_SEUIL_EVENEMENTS


def _count(env: dict[str, str], name: str, default: int) -> int:
    """A whole number of at least 0 from ``env``; anything else (empty, « cent », −3) is the default."""
    text = (env.get(name) or "").strip()
    return int(text) if text.isascii() and text.isdigit() else default


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
        seuil_menages=_count(env, "OBSERVATOIRE_SEUIL_MENAGES", DEFAULT_SEUIL_MENAGES),
        seuil_evenements=_count(env, "OBSERVATOIRE_SEUIL_EVENEMENTS", DEFAULT_SEUIL_EVENEMENTS),
    )
