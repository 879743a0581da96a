"""Streamlit's upload endpoint, open to signed-in data managers only.

Streamlit accepts a file on ``PUT /_stcore/upload_file/<session>/<file>`` from any open session,
whether or not an upload widget is on its screen, and keeps it in memory until the session ends:
anonymous visitors could fill the server's memory. :class:`UploadGate`, an ASGI middleware that
``app.py`` mounts in front of Streamlit (``st.App``), answers 403 to every upload whose session
does not hold the data-manager role, before a byte of the body is read. The script tells the gate
which sessions hold the role on each run (:func:`admit`). The size of what is let through is
bounded by Streamlit itself (``server.maxUploadSize`` in ``.streamlit/config.toml``, checked on the
declared length and again while the body streams in).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UPLOAD_PATH = re.compile(r"/_stcore/upload_file/(?P<session>[^/]+)")
HARMLESS = frozenset({"OPTIONS", "DELETE"})  # a CORS preflight; removing a file already sent
REFUSED = "Envoi de fichier réservé au gestionnaire de données connecté.".encode()

_admitted: set[str] = set()
_lock = threading.Lock()


def admit(user: str | None) -> None:
    """Open the upload endpoint to the current session when ``user`` (its signed-in data manager)
    is set, close it otherwise. Call on every run, before any upload widget is drawn."""
    ctx = get_script_run_ctx()
    if ctx is None:  # not run by Streamlit's script runner: no endpoint to open
        return
    with _lock:
        if user is None:
            _admitted.discard(ctx.session_id)
            return
        _admitted.add(ctx.session_id)
        if Runtime.exists():  # a session closed without signing out leaves the set
            _admitted.intersection_update([s for s in _admitted if Runtime.instance().is_active_session(s)])


def admitted(session_id: str) -> bool:
    """Whether the session may upload: its last run had a signed-in data manager."""
    with _lock:
        return session_id in _admitted


class UploadGate:
    """ASGI middleware: an upload from a session without the role is answered 403, unread."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = UPLOAD_PATH.search(scope.get("path", "")) if scope["type"] == "http" else None
        if match is not None and scope.get("method") not in HARMLESS and not admitted(match["session"]):
            headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(REFUSED)).encode())]
            await send({"type": "http.response.start", "status": 403, "headers": headers})
            await send({"type": "http.response.body", "body": REFUSED})
            return
        await self.app(scope, receive, send)
