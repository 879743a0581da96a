"""Who may write: the data-manager role, without Streamlit (``ui/auth.py`` is the Streamlit side).

Reading the dashboard needs no account. Importing and reverting need the data-manager role, given
either by single sign-on (OIDC through ``st.login``, with an allow-list of e-mails or a claim) or
by one local account whose argon2 password hash is configured in the environment
(``OBSERVATOIRE_ADMIN_USER``, ``OBSERVATOIRE_ADMIN_PASSWORD_HASH``) or in ``.streamlit/secrets.toml``
(section ``[observatoire]``: ``admin_user``, ``admin_password_hash``). Failed logins are throttled
per client address and per user name (:class:`LoginThrottle`).
"""

from __future__ import annotations

import functools
import hmac
import os
import threading
import time
from collections.abc import Mapping
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


@functools.cache
def _dummy_hash() -> str:
    """A fixed hash to verify against when the user name is wrong, so that it takes as long as a
    real check (made on the first sign-in, not at import: an argon2 hash costs 0,1 s of start-up)."""
    return _hasher.hash("mot de passe factice pour un temps constant")


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
        _check(_dummy_hash(), password)
        return False
    user_ok = hmac.compare_digest(user.strip().casefold().encode(), account.user.strip().casefold().encode())
    password_ok = _check(account.password_hash if user_ok else _dummy_hash(), password)
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


@dataclass(frozen=True)
class Backoff:
    """``free`` attempts, then a wait of ``base`` seconds doubled at each further attempt, up to ``ceiling``."""

    free: int
    base: float
    ceiling: float

    def delay(self, attempts: int) -> float:
        """The wait imposed after ``attempts`` attempts that did not succeed."""
        return 0.0 if attempts <= self.free else min(self.ceiling, self.base * 2 ** (attempts - self.free - 1))


@dataclass
class LoginThrottle:
    """Failed-login throttling per client address and per user name, shared by every session of a process.

    :meth:`attempt` checks and counts in one step under a lock: parallel logins never check more
    passwords than allowed. The client address is the one held back hard (3 free attempts, then
    5 s, 10 s, 20 s … 15 min): an attacker slows down only themselves. The user name only slows
    down (10 free attempts, then 1 s … 1 min), since anyone may type it, and not at all from an
    address where that user already signed in: nobody can lock the real data manager out. A
    success clears the address's and the user's counts. Times come from ``clock`` (tests need not
    wait); counts idle for ``forget_after`` seconds are dropped when the table grows large.
    """

    per_address: Backoff = Backoff(free=3, base=5.0, ceiling=900.0)
    per_user: Backoff = Backoff(free=10, base=1.0, ceiling=60.0)
    clock: Any = time.monotonic
    forget_after: float = 86400.0
    max_entries: int = 10_000  # beyond, idle counts are looked for and dropped
    _attempts: dict[str, tuple[int, float]] = field(default_factory=dict)  # key → (attempts, time of the last)
    _trusted: set[tuple[str, str]] = field(default_factory=set)  # (user, address) that signed in
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _rules(self, user: str, address: str) -> list[tuple[str, Backoff]]:
        name = user.strip().casefold()
        rules = [(f"address:{address}", self.per_address)]
        if (name, address) not in self._trusted:
            rules.append((f"user:{name}", self.per_user))
        return rules

    def _wait(self, rules: list[tuple[str, Backoff]], now: float) -> float:
        waits = [0.0]
        for key, rule in rules:
            attempts, last = self._attempts.get(key, (0, now))
            waits.append(last + rule.delay(attempts) - now)
        return max(waits)

    def wait(self, user: str, address: str) -> float:
        """Seconds before ``address`` may try ``user`` again (0 when it may now)."""
        with self._lock:
            return self._wait(self._rules(user, address), self.clock())

    def attempt(self, user: str, address: str) -> float:
        """Ask to check a password: 0 when the check may go ahead — the attempt then counts as a
        failure until :meth:`success` — else the seconds to wait (and nothing is counted)."""
        now = self.clock()
        with self._lock:
            rules = self._rules(user, address)
            wait = self._wait(rules, now)
            if wait > 0:
                return wait
            for key, _ in rules:
                self._attempts[key] = (self._attempts.get(key, (0, now))[0] + 1, now)
            if len(self._attempts) > self.max_entries:
                self._forget(now)
            return 0.0

    def success(self, user: str, address: str) -> None:
        """The password was right: the address's and the user's counts are cleared, and the user
        is no longer slowed down by failures of others when signing in from this address."""
        name = user.strip().casefold()
        with self._lock:
            self._attempts.pop(f"address:{address}", None)
            self._attempts.pop(f"user:{name}", None)
            self._trusted.add((name, address))

    def _forget(self, now: float) -> None:
        stale = [key for key, (_, last) in self._attempts.items() if now - last > self.forget_after]
        for key in stale:
            del self._attempts[key]


def os_user() -> str:
    """The operating-system user, recorded on imports made from the command line."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or os.environ.get("USERNAME") or "inconnu"
