"""Who may write: password hashing, throttling, the OIDC allow-list, and the import page's roles (AppTest)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_access import auth
from tests.conftest import ROOT

PASSWORD = "une phrase de passe de test"
PAGE = str(ROOT / "pages" / "import_donnees.py")


# --- pure helpers -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def password_hash() -> str:
    return auth.hash_password(PASSWORD)


@pytest.mark.parametrize(
    ("user", "password", "ok"),
    [
        ("gestion", PASSWORD, True),
        ("Gestion ", PASSWORD, True),  # the login is compared without case or surrounding spaces
        ("gestion", "mauvais mot de passe", False),
        ("autre", PASSWORD, False),
        ("", "", False),
    ],
)
def test_password_is_checked_against_the_argon2_hash(password_hash, user, password, ok):
    assert auth.verify_password(auth.LocalAccount("gestion", password_hash), user, password) is ok


def test_a_malformed_hash_or_no_account_never_matches():
    assert not auth.verify_password(auth.LocalAccount("gestion", "pas-un-hash"), "gestion", PASSWORD)
    assert not auth.verify_password(None, "gestion", PASSWORD)


def test_local_account_comes_from_the_environment_then_the_secrets(password_hash):
    env = {auth.ENV_USER: "env", auth.ENV_HASH: password_hash}
    secrets = {"observatoire": {"admin_user": "secret", "admin_password_hash": "h"}}
    assert auth.local_account(env, secrets) == auth.LocalAccount("env", password_hash)
    assert auth.local_account({}, secrets) == auth.LocalAccount("secret", "h")
    assert auth.local_account({auth.ENV_USER: "seul"}, {}) is None


@pytest.mark.parametrize(
    ("user", "settings", "ok"),
    [
        ({"email": "Chef@Departement.fr"}, {"data_managers": ["chef@departement.fr"]}, True),
        ({"email": "autre@departement.fr"}, {"data_managers": ["chef@departement.fr"]}, False),
        ({"email": "chef@departement.fr", "email_verified": False}, {"data_managers": ["chef@departement.fr"]}, False),
        (
            {"email": "x@y.fr", "groups": ["lecteurs", "observatoire-gestion"]},
            {"data_manager_claim": "groups", "data_manager_values": ["observatoire-gestion"]},
            True,
        ),
        (
            {"email": "x@y.fr", "role": "observatoire-gestion"},
            {"data_manager_claim": "role", "data_manager_values": ["observatoire-gestion"]},
            True,
        ),
        (
            {"email": "x@y.fr", "groups": ["lecteurs"]},
            {"data_manager_claim": "groups", "data_manager_values": ["observatoire-gestion"]},
            False,
        ),
        ({"email": "chef@departement.fr"}, {}, False),  # no allow-list: nobody has the role
    ],
)
def test_oidc_role_comes_from_the_allow_list_or_a_claim(user, settings, ok):
    assert auth.oidc_is_data_manager(user, settings) is ok


# --- the import page ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page_template(small_database_template: Path) -> Path:
    return small_database_template


@pytest.fixture
def page(page_template, tmp_path, monkeypatch, password_hash):  # type: ignore[no-untyped-def]
    """The import page on a fresh copy of a small database, with the local account configured."""
    import streamlit as st

    copy = tmp_path / "page.db"
    shutil.copy(page_template, copy)
    monkeypatch.setenv("OBSERVATOIRE_DATABASE_URL", f"sqlite:///{copy}")
    monkeypatch.setenv(auth.ENV_USER, "gestion")
    monkeypatch.setenv(auth.ENV_HASH, password_hash)
    st.cache_data.clear()
    st.cache_resource.clear()  # the engine and the login throttle
    return AppTest.from_file(PAGE, default_timeout=60)


def _login(app: AppTest, user: str = "gestion", password: str = PASSWORD) -> AppTest:
    app.text_input[0].input(user)
    app.text_input[1].input(password)
    app.button[0].click()
    return app.run()


def test_without_any_account_configured_the_page_explains_and_stays_read_only(page, monkeypatch):
    monkeypatch.delenv(auth.ENV_USER)
    monkeypatch.delenv(auth.ENV_HASH)
    page.run()
    assert not page.exception
    assert not page.file_uploader and not page.text_input
    assert "python -m data_access hash-password" in page.info[0].value
    assert any("Aucun import" in i.value for i in page.info)


def test_an_anonymous_session_sees_no_upload_widget(page):
    page.run()
    assert not page.exception
    assert not page.file_uploader
    assert [t.label for t in page.text_input] == ["Identifiant", "Mot de passe"]


def test_a_wrong_password_is_refused_then_throttled(page):
    page.run()
    for _ in range(auth.LoginThrottle().per_address.free):
        _login(page, password="mauvais")
        assert page.error[0].value.startswith("Identifiant ou mot de passe incorrect.")
    _login(page, password="mauvais")
    assert "Trop de tentatives : prochain essai possible dans 5 s." in page.error[0].value
    _login(page)  # even the right password waits for the delay
    assert page.error[0].value.startswith("Trop de tentatives infructueuses")
    assert not page.file_uploader


def test_a_data_manager_previews_imports_and_reverts(page, monkeypatch):
    from ui import cache

    cleared = []
    monkeypatch.setattr(cache, "clear", lambda: cleared.append(True))
    page.run()
    _login(page)
    assert page.file_uploader and "gestion" in page.success[0].value
    data = b"indicateur;territoire;periode;valeur\nassignations;38185;2025-01;54\nassignations;38185;2025-13;3\n"
    page.file_uploader[0].set_value(("fichier.csv", data, "text/csv")).run()
    next(b for b in page.button if b.label == "Vérifier le fichier").click().run()
    assert not page.exception
    metrics = {m.label: m.value for m in page.metric}
    assert metrics["Nouvelles"] == "1" and metrics["Erreurs"] == "1"
    report = page.dataframe[0].value
    assert report.to_dict("records") == [
        {
            "Ligne": 3,
            "Colonne": "periode",
            "Valeur": "2025-13",
            "Gravité": "erreur",
            "Explication": "n'est pas un mois valide (attendu : 2024-03, 03/2024, 2024-T1 ou 2024)",
        }
    ]
    assert page.get("download_button")
    import_button = next(b for b in page.button if b.label == "Importer")
    assert import_button.disabled  # refused whole unless the faulty rows are excluded
    next(c for c in page.checkbox if c.label.startswith("Exclure les")).check().run()
    next(b for b in page.button if b.label == "Importer").click().run()
    assert not page.exception and cleared
    assert any("Import enregistré : lot n° 4" in s.value for s in page.success)
    assert page.dataframe[-1].value["Lot"].tolist() == [4]
    page.checkbox[-1].check()
    next(b for b in page.button if b.label == "Annuler ce lot").click().run()
    assert any("Lot n° 4 annulé" in s.value for s in page.success)
    assert page.dataframe[-1].value["Annulé le"].notna().all()


def test_the_import_page_says_per_indicator_whether_the_database_holds_demo_or_real_data(page):
    page.run()
    _login(page)

    def stored() -> dict[str, str]:
        table = next(d.value for d in page.dataframe if "Données en base" in d.value.columns)
        return dict(zip(table["Code"], table["Données en base"], strict=True))

    assert "signalements_deposes" not in stored()  # the small database: no value yet
    data = b"indicateur;territoire;periode;valeur\nsignalements_deposes;38185;2025-01;4\n"
    page.file_uploader[0].set_value(("fichier.csv", data, "text/csv")).run()
    next(b for b in page.button if b.label == "Vérifier le fichier").click().run()
    assert not page.exception
    series = next(d.value for d in page.dataframe if "Après l'import" in d.value.columns)
    assert series[["Code", "Département", "Avant l'import", "Après l'import"]].values.tolist() == [
        ["signalements_deposes", "38", "aucune donnée", "données réelles"]
    ]
    next(b for b in page.button if b.label == "Importer").click().run()
    assert not page.exception
    assert stored()["signalements_deposes"] == "données réelles"
    assert any("Données en base : démonstration ou réelles" in h.value for h in page.subheader)


@pytest.mark.parametrize(("ticked", "secret_cells"), [(False, 0), (True, 1)])
def test_the_page_reads_blank_cells_as_secret_when_the_data_manager_says_so(page, ticked, secret_cells):
    page.run()
    _login(page)
    data = b"indicateur;territoire;periode;valeur\nassignations;38185;2025-01;54\nassignations;38186;2025-01;\n"
    page.file_uploader[0].set_value(("fichier.csv", data, "text/csv")).run()
    box = next(c for c in page.checkbox if c.label == "Les cases vides sont couvertes par le secret statistique")
    if ticked:
        box.check().run()
    next(b for b in page.button if b.label == "Vérifier le fichier").click().run()
    assert not page.exception
    warned = [w.value for w in page.warning] + [str(v) for d in page.dataframe for v in d.value.to_numpy().ravel()]
    assert any("secret statistique" in text for text in warned) == bool(secret_cells)


def test_an_uploaded_file_name_is_never_read_as_markdown(page):
    page.run()
    _login(page)
    name = "[cliquez](http://exemple.invalid)**gras**.csv"
    data = b"indicateur;territoire;periode;valeur\nassignations;38185;2025-01;54\n"
    page.file_uploader[0].set_value((name, data, "text/csv")).run()
    next(b for b in page.button if b.label == "Vérifier le fichier").click().run()
    assert not page.exception
    caption = next(c.value for c in page.caption if "gras" in c.value)
    assert caption.startswith(r"\[cliquez\](http://exemple.invalid)\*\*gras\*\*.csv — "), caption  # no link, no bold
