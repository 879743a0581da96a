"""What has been done: each fiche-action's follow-up (état d'avancement, réalisations, commentaire,
pilote, partenaires, moyens) in words, its history of changes, and the fiches' states for the scoreboard.

Pure: it reads the frames ``Loader.action_progress`` (``data_access.progress.progress_table``: one
row per fiche and year, recorded or not) and ``Loader.progress_history`` return. Who recorded a
change is not shown: the view is public, the audit trail is the data managers' (CLI ``progress show``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from data_access.french import MISSING, fr_date, fr_number
from data_access.vocabulary import PROGRESS_NOT_RECORDED as NO_RECORD
from data_access.vocabulary import PROGRESS_STATE_LABELS, ProgressState
from views.model import Block, Count, Table, Text
from views.params import ViewParams
from views.scoreboard import fiche_counts as count_states
from views.wording import escape_markdown

# the states in the scoreboard's order (done first), as printed and as the « etats » parameter says them
PROGRESS_STATES = tuple(
    PROGRESS_STATE_LABELS[state]
    for state in (ProgressState.REALISEE, ProgressState.ENGAGEE, ProgressState.NON_ENGAGEE, ProgressState.ABANDONNEE)
)
STATES = (*PROGRESS_STATES, NO_RECORD)
FIELDS = (("done", "Réalisations"), ("comment", "Commentaire"), ("lead", "Pilote"), ("partners", "Partenaires"))
HISTORY_ROWS = 10  # the latest changes shown in a fiche; the CLI shows them all


def chosen_states(params: ViewParams) -> list[str]:
    """The URL's fiche states, in order; every state when none is valid."""
    return [state for state in STATES if state in params.progress_states] or list(STATES)


def state_notices(params: ViewParams) -> list[str]:
    return [f"État « {state[:40]} » inconnu : ignoré." for state in params.progress_states if state not in STATES]


def recorded(progress: pd.DataFrame) -> pd.DataFrame:
    """The rows somebody recorded (the table also lists every fiche and year without a record)."""
    return progress[progress["recorded_at"].notna()] if not progress.empty else progress


def states_in(progress: pd.DataFrame, codes: Sequence[str], year: int) -> dict[str, str]:
    """Each fiche's state in ``year``: the state of its latest record up to that year (a fiche
    « réalisée » in 2016 stays so), « sans suivi » without any."""
    states = dict.fromkeys(codes, NO_RECORD)
    rows = recorded(progress)
    if rows.empty:
        return states
    rows = rows[(rows["year"] <= year) & rows["state"].notna()].sort_values("year")
    for code, state in zip(rows["action_code"], rows["state"], strict=True):
        if code in states:
            states[code] = _label(state)
    return states


def fiche_counts(states: Iterable[str], params: ViewParams) -> tuple[Count, ...]:
    """The scoreboard's fiche counts (see ``views.scoreboard.fiche_counts``)."""
    return count_states([None if state == NO_RECORD else state for state in states], PROGRESS_STATES, params)


def record_blocks(code: str, progress: pd.DataFrame, history: pd.DataFrame, year: int) -> list[Block]:
    """A fiche's follow-up: its record of ``year`` (or the latest before it) in words, every year
    recorded, and its latest changes; « Aucun suivi enregistré » without any."""
    own = recorded(progress)
    own = own[(own["action_code"] == code) & (own["year"] <= year)].sort_values("year") if not own.empty else own
    if own.empty:
        return [Text(f"**Suivi jusqu'en {year}.** Aucun suivi enregistré pour cette fiche-action.", caption=True)]
    latest = own.iloc[-1]
    lines = [f"**Suivi {int(latest['year'])}** — état d'avancement : **{escape_markdown(_label(latest['state']))}**"]
    lines += [f"**{label}** : {escape_markdown(str(latest[column]))}" for column, label in FIELDS if _filled(latest[column])]
    if _filled(latest["budget"]):
        lines.append(f"**Moyens** : {fr_number(float(latest['budget']))} €")
    lines.append(f"*Mis à jour le {fr_date(latest['recorded_at'])}.*")
    blocks: list[Block] = [Text("\n\n".join(lines))]
    # the tables' names in bold, not as headings: inside a fiche, below the chantier's heading
    if len(own) > 1:
        blocks += [Text("**Suivi année par année**"), Table(f"suivi-{code}", None, record_table(own), downloads=False, full=True)]
    changes = history[history["action_code"] == code].head(HISTORY_ROWS) if not history.empty else history
    if not changes.empty:
        blocks += [
            Text("**Dernières modifications du suivi**"),
            Table(f"historique-suivi-{code}", None, change_table(changes), downloads=False, full=True),
        ]
    return blocks


def record_table(records: pd.DataFrame) -> pd.DataFrame:
    """Every year recorded for a fiche, newest first, in French columns."""
    rows = records.sort_values("year", ascending=False)
    return pd.DataFrame(
        {
            "Année": rows["year"].astype(int).astype(str),
            "État d'avancement": rows["state"].map(_label),
            "Réalisations": [str(text) if _filled(text) else MISSING for text in rows["done"]],
            "Moyens (€)": [fr_number(float(b)) if _filled(b) else MISSING for b in rows["budget"]],
        }
    )


def change_table(changes: pd.DataFrame) -> pd.DataFrame:
    """A fiche's changes, newest first: when, which year, how (saisie, import, annulation), what."""
    return pd.DataFrame(
        {
            "Le": [fr_date(d) for d in changes["changed_at"]],
            "Année suivie": changes["year"].astype(int).astype(str),
            "Nature": changes["kind_label"],
            "Champs modifiés": [text or MISSING for text in changes["fields"]],
        }
    )


def _label(state: object) -> str:
    """« réalisée » for the stored ``realisee``; « sans suivi » without a state."""
    try:
        return PROGRESS_STATE_LABELS[ProgressState(str(state))]
    except ValueError:
        return NO_RECORD


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value)) and str(value).strip() != ""
