"""Every setting has a default and is documented in the README."""

from pathlib import Path

import pytest

from data_access.settings import ROOT, SETTINGS_HELP, load_settings


@pytest.mark.parametrize("name", sorted(SETTINGS_HELP))
def test_every_setting_is_documented_in_the_readme(name):
    assert name in (ROOT / "README.md").read_text(encoding="utf-8")


def test_defaults_resolve_against_the_repository():
    settings = load_settings({})
    assert settings.database_url == f"sqlite:///{ROOT / 'data' / 'observatoire.db'}"
    assert settings.shared_data == ROOT.parent / "shared" / "data"
    assert settings.geo_cache == ROOT / "data" / "geo"


def test_environment_overrides(tmp_path: Path):
    settings = load_settings({"OBSERVATOIRE_DATABASE_URL": "postgresql+psycopg://u@h/db", "OBSERVATOIRE_GEO_CACHE": str(tmp_path)})
    assert settings.database_url == "postgresql+psycopg://u@h/db" and settings.geo_cache == tmp_path
