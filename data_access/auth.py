"""Who may write: the data-manager role, without Streamlit (``ui/auth.py`` is the Streamlit side).

Reading the dashboard needs no account. Importing and reverting need the data-manager role, given
either by single sign-on (OIDC through ``st.login``, with an allow-list of e-mails or a claim) or
by one local account whose argon2 password hash is configured in the environment
(``OBSERVATOIRE_ADMIN_USER``, ``OBSERVATOIRE_ADMIN_PASSWORD_HASH``) or in ``.streamlit/secrets.toml``
(section ``[observatoire]``: ``admin_user``, ``admin_password_hash``). Failed logins are throttled
per session and per user name (:class:`LoginThrottle`).
"""

from __future__ import annotations

import hmac
import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from data_access.errors import UserError

ROLE = "gestionnaire de données"
ENV_USER = "OBSERVATOIRE_ADMIN_USER"
ENV_HASH = "OBSERVATOIRE_ADMIN_PASSWORD_HASH"
SECRETS_SECTION = "observatoire"
MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()
# verifying against a fixed hash when the user name is wrong takes as long as a real check
_DUMMY_HASH = _hasher.hash("mot de passe factice pour un temps constant")


@dataclass(frozen=True)
class LocalAccount:
    user: str
    password_hash: str


def local_account(env: Mapping[str, str] | None = None, secrets: Mapping[str, Any] | None = None) -> LocalAccount | None:
    """The configured local data-manager account: environment first, then the ``[observatoire]``
    section of the Streamlit secrets; None when neither names both a user and a hash."""
    env = os.environ if env is None else env
    section = (secrets or {}).get(SECRETS_SECTION, {}) or {}
    user = env.get(ENV_USER) or section.get("admin_user")
    password_hash = env.get(ENV_HASH) or section.get("admin_password_hash")
    if user and password_hash:
        return LocalAccount(str(user), str(password_hash))
    return None


def hash_password(password: str) -> str:
    """The argon2id hash to put in ``OBSERVATOIRE_ADMIN_PASSWORD_HASH``; UserError for a short password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Mot de passe trop court : {MIN_PASSWORD_LENGTH} caractères au moins (une phrase de passe convient).")
    return _hasher.hash(password)


def verify_password(account: LocalAccount | None, user: str, password: str) -> bool:
    """True when ``user`` and ``password`` match the account. Takes the same time for a wrong user
    name as for a wrong password; a malformed configured hash never matches."""
    if account is None:
        _check(_DUMMY_HASH, password)
        return False
    user_ok = hmac.compare_digest(user.strip().casefold().encode(), account.user.strip().casefold().encode())
    password_ok = _check(account.password_hash if user_ok else _DUMMY_HASH, password)
    return user_ok and password_ok


def _check(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def oidc_is_data_manager(user: Mapping[str, Any], settings: Mapping[str, Any]) -> bool:
    """Whether a signed-in OIDC user (``st.user`` as a dict) has the role.

    ``settings`` is the ``[observatoire]`` secrets section: ``data_managers`` (a list of e-mails,
    compared without case) and/or ``data_manager_claim`` with ``data_manager_values`` (the user has
    the role when that claim, a string or a list, holds one of the values). Without either, nobody
    signed in by OIDC has the role.
    """
    email = str(user.get("email") or "").strip().casefold()
    allowed = {str(e).strip().casefold() for e in settings.get("data_managers") or []}
    if email and email in allowed and user.get("email_verified", True) is not False:
        return True
    claim = settings.get("data_manager_claim")
    values = {str(v) for v in settings.get("data_manager_values") or []}
    if claim and values:
        held = user.get(str(claim))
        held_values = {str(v) for v in held} if isinstance(held, list | tuple | set) else {str(held)} if held is not None else set()
        return bool(held_values & values)
    return False


@dataclass
class LoginThrottle:
    """Failed-login throttling, per session and per user name (shared by every session of a process).

    After ``free`` failures for a key, each further failure locks that key for ``base`` seconds
    doubled each time, up to ``ceiling`` (5 s, 10 s, 20 s … 15 min); a success clears the session's
    and the user's counters. Thread-safe; times come from ``clock`` so that tests need not wait.
    """

    free: int = 3
    base: float = 5.0
    ceiling: float = 900.0
    clock: Any = time.monotonic
    _failures: dict[str, int] = field(default_factory=dict)
    _locked_until: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def keys(user: str, session: str) -> tuple[str, str]:
        return (f"user:{user.strip().casefold()}", f"session:{session}")

    def wait(self, keys: Iterable[str]) -> float:
        """Seconds before another attempt is allowed for these keys (0 when allowed now)."""
        now = self.clock()
        with self._lock:
            return max([self._locked_until.get(k, 0.0) - now for k in keys] + [0.0])

    def failure(self, keys: Iterable[str]) -> float:
        """Record a failed attempt; returns the wait it imposes."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key in keys:
                count = self._failures.get(key, 0) + 1
                self._failures[key] = count
                if count > self.free:
                    delay = min(self.ceiling, self.base * 2 ** (count - self.free - 1))
                    self._locked_until[key] = now + delay
                    wait = max(wait, delay)
        return wait

    def success(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
                self._locked_until.pop(key, None)


def os_user() -> str:
    """The operating-system user, recorded on imports made from the command line."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or os.environ.get("USERNAME") or "inconnu"
