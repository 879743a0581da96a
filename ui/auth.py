"""The data-manager role in the app: single sign-on (``st.login``) or the local account.

Reading needs no account. :func:`login_panel` shows how to sign in (or, when nothing is
configured, how to enable it) and returns the signed-in data manager's name, or None. The pure
parts (hash check, allow-list, throttling) are in :mod:`data_access.auth`.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

import streamlit as st

from data_access import auth

SESSION_USER = "observatoire_data_manager"
SESSION_ID = "observatoire_session_id"

HOW_TO_ENABLE = """\
**L'import est désactivé : aucun compte de gestionnaire de données n'est configuré.** La consultation
reste ouverte à tous ; importer ou annuler un import demande le rôle de gestionnaire de données.

Deux façons de l'accorder (détails dans le README, section « Importer des données réelles ») :

1. **Compte local** : calculez l'empreinte du mot de passe avec
   `python -m data_access hash-password`, puis définissez `OBSERVATOIRE_ADMIN_USER` et
   `OBSERVATOIRE_ADMIN_PASSWORD_HASH` dans l'environnement du serveur (ou `admin_user` et
   `admin_password_hash` dans la section `[observatoire]` de `.streamlit/secrets.toml`).
2. **Authentification unique (OIDC)** : ajoutez une section `[auth]` à `.streamlit/secrets.toml`
   (modèle : `.streamlit/secrets.example.toml`) et la liste `data_managers` des adresses autorisées.

Sans interface, la ligne de commande reste disponible à qui a accès au serveur :
`python -m data_access import FICHIER`.
"""


@st.cache_resource
def throttle() -> auth.LoginThrottle:
    """One throttle per server process: failures count per client address and per user name across sessions."""
    return auth.LoginThrottle()


def _address() -> str:
    """The client's address (behind a reverse proxy on the same host, the one it forwards); a
    visitor on the server itself has none (nor AppTest's stand-in client): their session stands for it."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else f"session {_session_id()}"


def _in_words(seconds: float) -> str:
    """« 5 s », « 15 min »."""
    return f"{math.ceil(seconds)} s" if seconds < 60 else f"{math.ceil(seconds / 60)} min"


def _secrets() -> dict[str, Any]:
    try:
        return st.secrets.to_dict()
    except Exception:  # no secrets.toml at all: Streamlit raises on first access
        return {}


def oidc_configured() -> bool:
    return "auth" in _secrets()


def local_account() -> auth.LocalAccount | None:
    return auth.local_account(secrets=_secrets())


def configured() -> bool:
    return oidc_configured() or local_account() is not None


def _session_id() -> str:
    if SESSION_ID not in st.session_state:
        st.session_state[SESSION_ID] = uuid.uuid4().hex
    return str(st.session_state[SESSION_ID])


def data_manager() -> str | None:
    """The signed-in data manager of this session (login or e-mail), or None."""
    if st.session_state.get(SESSION_USER):
        return str(st.session_state[SESSION_USER])
    if oidc_configured() and st.user.is_logged_in:
        info = st.user.to_dict()
        if auth.oidc_is_data_manager(info, _secrets().get(auth.SECRETS_SECTION, {})):
            return str(info.get("email") or info.get("name") or "utilisateur OIDC")
    return None


def login_panel() -> str | None:
    """Sign-in widgets, or how to enable them; the data manager's name once signed in."""
    user = data_manager()
    if user is not None:
        left, right = st.columns([4, 1])
        left.success(f"Connecté : **{user}** ({auth.ROLE}).", icon=":material/lock_open:")
        if right.button("Se déconnecter", width="stretch"):
            if st.session_state.pop(SESSION_USER, None) is None and oidc_configured():
                st.logout()
            st.rerun()
        return user
    if not configured():
        st.info(HOW_TO_ENABLE, icon=":material/lock:")
        return None
    st.markdown("Importer ou annuler un import demande le rôle de **gestionnaire de données**. La consultation reste ouverte à tous.")
    if oidc_configured():
        if st.user.is_logged_in:
            st.warning(
                f"Votre compte ({st.user.to_dict().get('email', '?')}) n'a pas le rôle de gestionnaire de données : "
                "demandez à l'administrateur de l'ajouter à la liste `data_managers`."
            )
            st.button("Se déconnecter", on_click=st.logout)
        else:
            st.button("Se connecter (authentification unique)", on_click=st.login, type="primary")
    account = local_account()
    if account is not None:
        _password_form(account)
    return None


def _password_form(account: auth.LocalAccount) -> None:
    with st.form("connexion", enter_to_submit=True):
        st.markdown("**Compte local**")
        name = st.text_input("Identifiant", autocomplete="username")
        password = st.text_input("Mot de passe", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Se connecter")
    if not submitted:
        return
    address = _address()
    wait = throttle().attempt(name, address)  # checked and counted at once: parallel tries wait their turn
    if wait > 0:
        st.error(f"Trop de tentatives infructueuses : réessayez dans {_in_words(wait)}.", icon=":material/hourglass_top:")
        return
    if auth.verify_password(account, name, password):
        throttle().success(name, address)
        st.session_state[SESSION_USER] = account.user
        st.rerun()
    wait = throttle().wait(name, address)
    message = "Identifiant ou mot de passe incorrect."
    if wait > 0:
        message += f" Trop de tentatives : prochain essai possible dans {_in_words(wait)}."
    st.error(message, icon=":material/block:")
