"""Historic perimeters (issue 20): a grouping's composition at a date, and a value summed on it.

An EPCI's composition changes (Grenoble-Alpes-Métropole went from 28 to 49 communes on
1 January 2014). ``territory_membership`` holds today's composition, which every series, map and
comparison uses; a plan may declare earlier ones (``perimetres`` in its plan.yaml), and an
objective set on one of them (``perimetre_au``) is evaluated on its own communes: the sum of their
commune-level values, a ratio recomputed from the sums of its parts. A value stored only for the
grouping itself describes today's perimeter and is never read for a past one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from data_access.errors import UserError
from data_access.french import fr_date, fr_number
from data_access.models import HistoricPerimeter, Territory
from data_access.vocabulary import GROUP_LEVELS, Level


def _date(value: Any, what: str, plan: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as error:
        raise UserError(
            f"Plan {plan} : « {what} » d'un périmètre historique attend une date AAAA-MM-JJ, reçu « {str(value)[:40]} »."
        ) from error


def load_perimeters(conn: Connection, plan: str, entries: object) -> int:
    """Store the historic perimeters a plan declares (``perimetres``: a list of {territoire, du,
    au, source, communes}); returns the number of memberships stored.

    Each entry replaces the composition stored for its grouping from the same ``du``. UserError
    (nothing stored) when an entry names an unknown grouping, a commune unknown or of another
    département, or its dates are reversed.
    """
    if entries is None:
        return 0
    if not isinstance(entries, list):
        raise UserError(f"Plan {plan} : « perimetres » doit être une liste de périmètres historiques.")
    places = {code: (level, dep) for code, level, dep in conn.execute(select(Territory.code, Territory.level, Territory.departement_code))}
    rows = []
    for entry in entries:
        if not isinstance(entry, Mapping) or not {"territoire", "du", "au", "source", "communes"} <= set(entry):
            raise UserError(f"Plan {plan} : un périmètre historique demande « territoire », « du », « au », « source » et « communes ».")
        group, start, end = str(entry["territoire"]), _date(entry["du"], "du", plan), _date(entry["au"], "au", plan)
        if places.get(group, ("", None))[0] not in GROUP_LEVELS:
            raise UserError(f"Plan {plan} : périmètre historique d'un regroupement inconnu « {group[:40]} ».")
        if end < start:
            raise UserError(
                f"Plan {plan} : le périmètre historique de {group} finit ({fr_date(end)}) avant de commencer ({fr_date(start)})."
            )
        communes = [str(code) for code in entry["communes"] or []]
        unknown = [code for code in communes if places.get(code) != (Level.COMMUNE, places[group][1])]
        if unknown or not communes:
            raise UserError(
                f"Plan {plan} : périmètre historique de {group} : communes inconnues ou hors du département "
                f"{', '.join(code[:10] for code in unknown[:5]) or '(aucune)'}."
            )
        conn.execute(delete(HistoricPerimeter).where(HistoricPerimeter.group_code == group, HistoricPerimeter.valid_from == start))
        rows += [
            dict(group_code=group, valid_from=start, valid_to=end, member_code=code, source=str(entry["source"]))
            for code in dict.fromkeys(communes)
        ]
    if rows:
        conn.execute(insert(HistoricPerimeter), rows)
    return len(rows)


def historic_members(conn: Connection, group: str, day: dt.date) -> tuple[str, ...] | None:
    """The communes of ``group`` on ``day`` from a declared historic perimeter, sorted; None when
    no historic perimeter covers ``day`` (the grouping then has today's composition)."""
    day = day.date() if isinstance(day, dt.datetime) else day  # a pandas Timestamp from a frame
    hp = HistoricPerimeter
    members = conn.scalars(
        select(hp.member_code).where(hp.group_code == group, hp.valid_from <= day, hp.valid_to >= day).order_by(hp.member_code)
    ).all()
    return tuple(members) or None


def perimeter_label(day: dt.date, communes: int) -> str:
    """« périmètre au 31/12/2013 : 28 communes »."""
    day = day.date() if isinstance(day, dt.datetime) else day
    return f"périmètre au {fr_date(day)} : {fr_number(communes)} commune{'s' if communes > 1 else ''}"


def perimeter_value(rows: Sequence[tuple], parts: Sequence[str], scale: float | None) -> tuple[float | None, bool]:  # type: ignore[type-arg]
    """(value, any demo) of an indicator on a set of communes from the total rows of its stored
    ``parts`` per commune (SERIES_COLUMNS tuples): the sum of a count, a ratio recomputed from
    the sums of its numerator and denominator (× ``scale``); None without rows or with a zero
    denominator."""
    sums = {part: 0.0 for part in parts}
    seen, demo = set(), False
    for indicator, _, _, value, _, is_demo in rows:
        sums[indicator] += float(value)
        seen.add(indicator)
        demo = demo or bool(is_demo)
    if seen != set(parts):
        return None, demo
    if len(parts) == 1:
        return sums[parts[0]], demo
    numerator, denominator = (sums[part] for part in parts)
    return (numerator / denominator * (scale or 1.0) if denominator else None), demo
