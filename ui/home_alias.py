"""The home page answers at its own name too: ``/vue_ensemble?…`` is redirected to ``/?…``.

Streamlit serves the default page at the root only, every other page at ``/<stem>``. The overview's
stem is accepted wherever a view is named (``python -m reporting view "vue_ensemble?…"``, séances),
so a person who types or bookmarks ``/vue_ensemble`` would get Streamlit's « page introuvable »
dialog. :class:`HomeAlias`, an ASGI middleware that ``app.py`` mounts in front of Streamlit, answers
such a request with a temporary redirect to the root, its query string kept.
"""

from __future__ import annotations

from data_access.vocabulary import HOME_PAGE
from ui.upload_gate import ASGIApp, Receive, Scope, Send

HOME_ALIAS = f"/{HOME_PAGE.value}"


def home_location(path: str, query: bytes) -> bytes | None:
    """Where a request for ``path`` (``/vue_ensemble``, ``/vue_ensemble/``, under any base path) is
    sent: the root under the same base path with ``query`` kept; ``None`` for any other path."""
    stripped = path.rstrip("/")
    if not stripped.endswith(HOME_ALIAS):
        return None
    root = stripped.removesuffix(HOME_ALIAS) + "/"
    return root.encode() + (b"?" + query if query else b"")


class HomeAlias:
    """ASGI middleware: a GET or HEAD of the home page's stem is answered 307 to the root."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") in {"GET", "HEAD"}:
            location = home_location(scope.get("path", ""), scope.get("query_string", b""))
            if location is not None:
                headers = [(b"location", location), (b"content-length", b"0")]
                await send({"type": "http.response.start", "status": 307, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return
        await self.app(scope, receive, send)
