"""The home page's stem leads to the root (``ui/home_alias.py``); served end to end in tests/test_browser.py."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ui.home_alias import HomeAlias, home_location


@pytest.mark.parametrize(
    ("path", "query", "location"),
    [
        ("/vue_ensemble", b"", b"/"),
        ("/vue_ensemble/", b"plan=sarthe-pdalpd-2008-2012&debut=2010", b"/?plan=sarthe-pdalpd-2008-2012&debut=2010"),
        ("/observatoire/vue_ensemble", b"presentation=1", b"/observatoire/?presentation=1"),  # under a base path
        ("/", b"plan=x", None),
        ("/fsl", b"", None),
        ("/vue_ensemble_bis", b"", None),
        ("/autre_vue_ensemble", b"", None),
        ("/_stcore/health", b"", None),
    ],
)
def test_only_the_home_stem_is_redirected_its_query_kept(path, query, location):
    assert home_location(path, query) == location


def _answer(method: str, path: str) -> tuple[list[dict[str, Any]], list[str]]:
    sent: list[dict[str, Any]] = []
    reached: list[str] = []

    async def streamlit(scope, receive, send):
        reached.append(scope["path"])

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": method, "path": path, "query_string": b"plan=x"}
    asyncio.run(HomeAlias(streamlit)(scope, receive, send))
    return sent, reached


def test_a_get_of_the_stem_is_answered_307_without_reaching_streamlit():
    sent, reached = _answer("GET", "/vue_ensemble")
    assert reached == [] and sent[0]["status"] == 307 and (b"location", b"/?plan=x") in sent[0]["headers"]


@pytest.mark.parametrize(("method", "path"), [("POST", "/vue_ensemble"), ("GET", "/tendances"), ("GET", "/")])
def test_anything_else_goes_to_streamlit(method, path):
    sent, reached = _answer(method, path)
    assert sent == [] and reached == [path]
