"""Objective kinds and the rule that turns a measurement into a status (pure, no database).

Statuses (``data_access.vocabulary.ObjectiveStatus``): ``atteint``, ``en bonne voie``, ``en retard``,
``non atteint``, ``pas de données``; for milestones also ``à renseigner`` and ``abandonné``.

The rule, for every kind but milestones (this docstring is the one written statement of it; the
« Données et méthodes » page prints it):

1. No measured value (or, for a baseline kind, no baseline) → ``pas de données``.
2. ``met(x)`` says whether a value ``x`` satisfies the objective:
   - ``min_per_year``, ``min_cumulative``, ``stock_target``, ``share_min``: ``x >= target``;
   - ``max_per_year``, ``ratio_max``: ``x <= target``;
   - ``decrease_from_baseline``: ``x <= target`` when the plan gives a target level, else ``x < baseline``;
   - ``increase_from_baseline``: ``x >= target`` when the plan gives a target level, else ``x > baseline``;
   - an approximate target (« une vingtaine », ``tolerance`` t) is met at ``target × (1 − t)`` for a
     minimum and ``target × (1 + t)`` for a maximum.
3. A complete evaluated period (``fraction == 1``) → ``atteint`` if ``met(value)`` else ``non atteint``.
4. A period still under way (``0 < fraction < 1``): counts are projected over the whole period
   (``value / fraction``) for additive kinds; ratios, shares and stocks are taken as they are.
   ``en bonne voie`` if ``met(projection)`` else ``en retard``. Two shortcuts, because a count only
   grows within a period: a minimum already reached is ``atteint``; a maximum already exceeded is
   ``non atteint``.

An objective whose target the plan still has to set (``to_be_set``, « Se donner des objectifs
chiffrés ») is ``à fixer`` whatever its indicator measures: its value is shown, never judged.

Milestones (qualitative objectives) follow what a data manager recorded (``milestone_record``):

- realised on or before the end of the evaluated period → ``atteint`` (« réalisé le JJ/MM/AAAA »);
- given up → ``abandonné``;
- nothing recorded (or realised later): ``en retard`` once the due date (declared, or the plan's end)
  has passed, by the end of the evaluated period and by today; before that, ``à renseigner``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from data_access.vocabulary import MilestoneState, ObjectiveKind, ObjectiveStatus

OBJECTIVE_KINDS = tuple(ObjectiveKind)
KIND_LABELS = {
    "min_per_year": "au moins N par an",
    "max_per_year": "au plus N par an",
    "min_cumulative": "au moins N sur la période",
    "decrease_from_baseline": "baisse par rapport à la référence",
    "increase_from_baseline": "hausse par rapport à la référence",
    "ratio_max": "taux au plus égal à la cible",
    "share_min": "part au moins égale à la cible",
    "stock_target": "effectif à atteindre",
    "milestone": "jalon qualitatif",
    "to_be_set": "objectif chiffré à fixer",
}
ADDITIVE_KINDS = frozenset({"min_per_year", "max_per_year", "min_cumulative", "decrease_from_baseline", "increase_from_baseline"})
BASELINE_KINDS = frozenset({"decrease_from_baseline", "increase_from_baseline"})
# kinds whose target is a count that can be shared among territories pro rata of households
PRORATA_KINDS = frozenset(
    {"min_per_year", "max_per_year", "min_cumulative", "decrease_from_baseline", "increase_from_baseline", "stock_target"}
)


@dataclass(frozen=True)
class Measurement:
    """What was measured for one objective over its evaluated period.

    ``fraction``: share of the evaluated period covered by data (1.0 when complete).
    ``baseline``: the plan's baseline, or the value measured over the baseline period.
    """

    value: float | None
    fraction: float = 1.0
    baseline: float | None = None


def status_from_measurement(kind: str, target: float | None, measurement: Measurement, tolerance: float | None = None) -> str:
    """The status of a non-milestone objective of ``kind`` (see the module docstring)."""
    if kind not in OBJECTIVE_KINDS or kind == "milestone":
        raise ValueError(f"kind must be one of {OBJECTIVE_KINDS}, not a milestone, got {kind!r}")
    if kind == "to_be_set":
        return ObjectiveStatus.A_FIXER
    value = measurement.value
    if value is None or measurement.fraction <= 0:
        return "pas de données"
    if kind in BASELINE_KINDS and measurement.baseline is None and target is None:
        return "pas de données"
    if kind not in BASELINE_KINDS and target is None:
        return "pas de données"

    slack = tolerance or 0.0

    def met(x: float) -> bool:
        if kind in ("min_per_year", "min_cumulative", "stock_target", "share_min"):
            return x >= target * (1 - slack)  # type: ignore[operator]
        if kind in ("max_per_year", "ratio_max"):
            return x <= target * (1 + slack)  # type: ignore[operator]
        if kind == "decrease_from_baseline":
            return x <= target * (1 + slack) if target is not None else x < measurement.baseline  # type: ignore[operator]
        return x >= target * (1 - slack) if target is not None else x > measurement.baseline  # type: ignore[operator]

    if measurement.fraction >= 1:
        return "atteint" if met(value) else "non atteint"
    if kind in ("min_per_year", "min_cumulative") and met(value):
        return "atteint"
    if kind == "max_per_year" and not met(value):
        return "non atteint"
    projection = value / measurement.fraction if kind in ADDITIVE_KINDS else value
    return "en bonne voie" if met(projection) else "en retard"


def milestone_status(
    state: str | None, achieved_on: dt.date | None, *, due_on: dt.date, period_end: dt.date, today: dt.date | None = None
) -> str:
    """The status of a milestone for a period ending on ``period_end`` (inclusive), from its latest
    record (``state``: a ``MilestoneState`` or None, ``achieved_on``) and its due date (see the module docstring)."""
    if state == MilestoneState.ABANDONNE:
        return ObjectiveStatus.ABANDONNE
    if state == MilestoneState.REALISE and achieved_on is not None and achieved_on <= period_end:
        return ObjectiveStatus.ATTEINT
    if due_on < min(period_end + dt.timedelta(days=1), today or dt.date.today()):
        return ObjectiveStatus.EN_RETARD
    return ObjectiveStatus.A_RENSEIGNER


def prorata_target(kind: str, value: float | None, share: float) -> float | None:
    """A plan-wide target shared pro rata (``share`` = territory households / département
    households); ratios, shares and milestones are not shared and come back unchanged."""
    if value is None or kind not in PRORATA_KINDS:
        return value
    return value * share
