"""The plan's scoreboard: « are we on track? » (objectives per status) and « what has been done? »
(fiches-action per state of their follow-up), each count leading to the Plan d'action filtered on it.

Pure: it counts the rows of the objective status table and of the follow-up table it is given.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from data_access.french import fr_number
from data_access.vocabulary import PROGRESS_NOT_RECORDED as NO_RECORD
from data_access.vocabulary import Page
from views.model import Count, Scoreboard
from views.params import ViewParams
from views.wording import STATUSES

INVARIABLE = frozenset({"en retard", "en bonne voie", "à renseigner", "à fixer", "pas de données", NO_RECORD})


def _plural(word: str, count: int) -> str:
    """« atteint » → « atteints », « non engagée » → « non engagées »; « en retard », « à renseigner »… stay."""
    if count < 2 or word in INVARIABLE or word.endswith(("s", "x")):
        return word
    return word + "s"


def objective_counts(statuses: Sequence[str], params: ViewParams) -> tuple[Count, ...]:
    """One count per objective status present, in status order, each leading to its list."""
    counts = pd.Series(list(statuses), dtype=object).value_counts()
    return tuple(
        Count(_plural(status, int(counts[status])), int(counts[status]), status, _query(params, statuts=status))
        for status in STATUSES
        if status in counts.index
    )


def fiche_counts(states: Sequence[str | None], order: Sequence[str], params: ViewParams) -> tuple[Count, ...]:
    """One count per state of the fiches' follow-up (``order``: the states' order), then the
    fiches without any record, each leading to its list."""
    words = [state if isinstance(state, str) and state else NO_RECORD for state in states]
    counts = pd.Series(words, dtype=object).value_counts()
    return tuple(
        Count(
            _plural(state, int(counts[state])),
            int(counts[state]),
            state,
            _query(params, etats=state),
        )
        for state in (*order, NO_RECORD)
        if state in counts.index
    )


def _query(params: ViewParams, **chosen: str) -> tuple[tuple[str, str], ...]:
    """The Plan d'action URL of the view's plan, territory and year, filtered on one status or state."""
    query = {key: value for key, value in params.query().items() if key not in ("axes", "statuts", "etats")}
    return tuple((query | chosen).items())


def scoreboard(params: ViewParams, statuses: Sequence[str], fiches: tuple[Count, ...], year: int) -> Scoreboard:
    """The scoreboard of the plan for the view's territory and ``year``."""
    total = len(statuses)
    rows: list[tuple[str, tuple[Count, ...]]] = [(f"Objectifs ({fr_number(total)})", objective_counts(statuses, params))]
    if fiches:
        rows.append((f"Fiches-action ({fr_number(sum(count.value for count in fiches))})", fiches))
    return Scoreboard(
        f"Où en est le plan ? {year}" + ("" if params.is_departement else f" — {params.territory_name}"),
        tuple(rows),
        Page.PLAN_ACTION,
        caption="Chaque nombre ouvre la liste qu'il compte dans « Plan d'action ». Objectifs : statut "
        f"{year} ; fiches-action : dernier état d'avancement enregistré jusqu'en {year}.",
    )
