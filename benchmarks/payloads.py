"""What a page sends to the browser for its charts: the Plotly JSON of every figure it draws.

A page's *payload* is the sum of the lengths of the figure specs its ``st.plotly_chart`` elements
carry (the JSON plotly.js parses and draws), measured with Streamlit's AppTest on a new session
opening the view's URL, as ``tests/test_app.py`` reads figures. The views are the benchmark's
(``benchmarks.pages.VIEWS``: every page, the commune map, thirteen years by month) and every map
the app draws: both map pages at every level, for both plans (départements 38 and 72).

``BUDGETS`` holds the sizes recorded on the demo database, rounded up with a margin (see
``budget_of``): ``tests/test_payload_sizes.py`` fails when a page sends more, so that a change
that makes a page heavier is seen and its budget raised on purpose, with a reason.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from benchmarks.databases import ROOT
from benchmarks.pages import VIEWS, new_session, view_label

PLANS = {"isere-palhdi-2014-2020": "38", "sarthe-pdalpd-2008-2012": "72"}
DEFAULT_PLAN = "isere-palhdi-2014-2020"
MAP_PAGES = ("pages/comparer.py", "pages/mal_logement.py")
MAP_LEVELS = ("territoire", "epci", "arrondissement", "commune")


def _map_views() -> list[tuple[str, dict[str, str]]]:
    """Both map pages at every level of both plans (the default plan and level: no parameter)."""
    views = []
    for plan in PLANS:
        for page in MAP_PAGES:
            for level in MAP_LEVELS:
                params = {} if plan == DEFAULT_PLAN else {"plan": plan}
                if level != "territoire":
                    params["niveau"] = level
                views.append((page, params))
    return views


# the benchmark's views, then every map not already among them
PAYLOAD_VIEWS: list[tuple[str, dict[str, str]]] = VIEWS + [v for v in _map_views() if v not in VIEWS]

MARGIN = 0.05  # a budget is the recorded size plus 5 %, rounded up to the next kilobyte
# Figure payload per view in bytes: recorded with ``python -m benchmarks.payloads`` on the demo
# database (2 December 2026), then ``budget_of``. A view without a chart sends none.
BUDGETS: dict[str, int] = {
    "vue_ensemble": 0,  # measured 0
    "tendances": 8000,  # measured 7062
    "comparer": 87000,  # measured 82111
    "expulsions": 29000,  # measured 27314
    "fsl": 34000,  # measured 31781
    "mal_logement": 83000,  # measured 78336
    "acces_hebergement": 26000,  # measured 24474 (3 December 2026: seven yearly charts)
    "plan_action": 0,  # measured 0
    "dispositifs": 3000,  # measured 2378 (3 December 2026: the programme's shares as bars)
    "donnees_methodes": 0,  # measured 0
    "seances": 0,  # measured 0
    "import_donnees": 0,  # measured 0
    "comparer?niveau=commune&debut=2013&fin=2025": 304000,  # measured 289130
    "tendances?granularite=mois&debut=2013&fin=2025": 18000,  # measured 16363
    "tendances?granularite=glissant&debut=2013&fin=2025": 18000,  # measured 16368
    "comparer?niveau=epci": 76000,  # measured 72159
    "comparer?niveau=arrondissement": 40000,  # measured 37449
    "comparer?niveau=commune": 304000,  # measured 289100
    "mal_logement?niveau=epci": 89000,  # measured 84403
    "mal_logement?niveau=arrondissement": 49000,  # measured 46630
    "mal_logement?niveau=commune": 316000,  # measured 300050
    "comparer?plan=sarthe-pdalpd-2008-2012": 36000,  # measured 34017
    "comparer?plan=sarthe-pdalpd-2008-2012&niveau=epci": 76000,  # measured 71542
    "comparer?plan=sarthe-pdalpd-2008-2012&niveau=arrondissement": 44000,  # measured 41652
    "comparer?plan=sarthe-pdalpd-2008-2012&niveau=commune": 258000,  # measured 245564
    "mal_logement?plan=sarthe-pdalpd-2008-2012": 40000,  # measured 37980
    "mal_logement?plan=sarthe-pdalpd-2008-2012&niveau=epci": 82000,  # measured 77790
    "mal_logement?plan=sarthe-pdalpd-2008-2012&niveau=arrondissement": 48000,  # measured 44918
    "mal_logement?plan=sarthe-pdalpd-2008-2012&niveau=commune": 263000,  # measured 250096
}
# the maps' own budgets (tests/test_geo.py::BUDGETS for one map of made-up values), per figure
MAP_BUDGETS = {"territoire": 120_000, "epci": 200_000, "arrondissement": 200_000, "commune": 400_000}


@dataclass(frozen=True)
class Drawn:
    """One view as a new session draws it: each figure's JSON spec and the chart config."""

    view: str
    page: str
    params: dict[str, str]
    specs: list[str]
    configs: list[str]

    @property
    def payload(self) -> int:
        return sum(len(spec) for spec in self.specs)

    def figures(self) -> list[dict[str, Any]]:
        return [json.loads(spec) for spec in self.specs]


def budget_of(measured: int) -> int:
    """The budget recorded for a measured payload: 5 % more, rounded up to the kilobyte."""
    return 0 if measured == 0 else math.ceil(measured * (1 + MARGIN) / 1000) * 1000


def level_of(params: dict[str, str]) -> str:
    return params.get("niveau", "territoire")


def draw(page: str, params: dict[str, str]) -> Drawn:
    """Open ``page`` with URL ``params`` in a new AppTest session (every Streamlit cache emptied)
    on the database of ``OBSERVATOIRE_DATABASE_URL``; the figures it drew."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    at = new_session(page, params)
    at.run()
    if at.exception:
        raise RuntimeError(f"{view_label(page, params)}: {at.exception[0].message}")
    charts = at.get("plotly_chart")
    return Drawn(view_label(page, params), page, dict(params), [c.proto.spec for c in charts], [c.proto.config for c in charts])


def drawn_views(url: str | None = None, views: Iterable[tuple[str, dict[str, str]]] = PAYLOAD_VIEWS) -> list[Drawn]:
    """Every view of ``views`` drawn on the database at ``url`` (default: the configured one)."""
    from streamlit import logger

    logger.set_log_level(logging.ERROR)  # no « No runtime found » warning for every session
    if url is not None:
        os.environ["OBSERVATOIRE_DATABASE_URL"] = url
    return [draw(page, params) for page, params in views]


def page_payloads(url: str | None = None, views: Iterable[tuple[str, dict[str, str]]] = PAYLOAD_VIEWS) -> dict[str, int]:
    """View label → bytes of Plotly JSON its first run sends (0 for a view without a chart)."""
    return {drawn.view: drawn.payload for drawn in drawn_views(url, views)}


def payload_rows(payloads: dict[str, int]) -> list[tuple[str, int, int]]:
    """(view, measured bytes, budget bytes) for a table beside the benchmark's (0: no budget)."""
    return [(view, size, BUDGETS.get(view, 0)) for view, size in payloads.items()]


def main() -> None:
    """Print every view's payload and the budget it would be given (``python -m benchmarks.payloads``)."""
    url = os.environ.get("OBSERVATOIRE_DATABASE_URL") or f"sqlite:///{ROOT / 'data' / 'observatoire.db'}"
    for view, size in page_payloads(url).items():
        print(f'    "{view}": {budget_of(size)},  # {size} octets mesurés, budget actuel {BUDGETS.get(view, "–")}')


if __name__ == "__main__":
    main()
