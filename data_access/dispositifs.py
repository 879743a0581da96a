"""Programmes (dispositifs) as data (issue 20): ``plans/<plan>/dispositifs/<code>.yaml`` → the
``dispositif*`` tables, and back as a DataFrame.

A programme is followed by the results its documents publish, each over the period it states
(« sur la période 2016-2018 », « à fin 2018 »), or over none when they state none. A result is
never a month's, a quarter's or a year's value: it lives in its own table, apart from the
observations, and is never summed with them nor with another result.

A share or a cost per 6 months is stored as published. When the file also gives both its parts
(``data_access.vocabulary.OUTCOMES``) over the same period, it must agree with them to the
published rounding; when the file gives only the parts, it is worked out from them (``computed``).
Budgets are stored as published, never added up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, delete, insert, select

from data_access.errors import UserError
from data_access.french import fr_number
from data_access.models import Dispositif, DispositifAction, DispositifBudget, DispositifResult, PlanAction
from data_access.vocabulary import OUTCOMES, Outcome, OutcomeBound
from data_access.yaml_files import read_yaml

DIRECTORY = "dispositifs"  # inside a plan's directory
# a published share is rounded: « 24 % » stands for 23,5 to 24,5 % (a cost « 1 500 € » likewise to the euro)
ROUNDING = 0.5
RESULT_COLUMNS = [
    "dispositif_code",
    "dispositif",
    "position",
    "outcome",
    "label",
    "unit",
    "value",
    "bound",
    "period_start",
    "period_end",
    "base",
    "computed",
    "quote",
]
PROGRAMME_COLUMNS = [
    "code",
    "name",
    "programme",
    "category",
    "source",
    "presentation",
    "operators",
    "support",
    "funders",
    "human_means",
    "public",
    "start_year",
    "end_year",
    "territory_label",
]
BUDGET_COLUMNS = ["dispositif_code", "position", "start_year", "end_year", "funder", "euros_per_year"]
ACTION_COLUMNS = ["dispositif_code", "action_code", "action_title"]


def dispositif_files(plan_directory: Path) -> list[Path]:
    """The programme files of a plan, in name order (none when it has no ``dispositifs`` folder)."""
    return sorted((plan_directory / DIRECTORY).glob("*.yaml"))


def load_dispositifs(conn: Connection, plan_code: str, plan_directory: Path, action_codes: set[str]) -> int:
    """Replace the plan's programmes with those of its files; returns how many. ``action_codes``:
    the plan's fiches-action (a programme may only serve those). UserError, in French, naming the
    file, for a file that does not hold a valid programme: nothing of the plan's programmes is
    written then (the caller's transaction)."""
    programmes = [_programme(read_yaml(path), path.name, action_codes) for path in dispositif_files(plan_directory)]
    codes = [p["row"]["code"] for p in programmes]
    if len(set(codes)) != len(codes):
        raise UserError(f"Dispositifs du plan {plan_code} : deux fichiers portent le même code.")
    for table in (DispositifResult, DispositifBudget, DispositifAction):
        conn.execute(delete(table).where(table.plan_code == plan_code))
    conn.execute(delete(Dispositif).where(Dispositif.plan_code == plan_code))
    for programme in programmes:
        code = programme["row"]["code"]
        conn.execute(insert(Dispositif), [{"plan_code": plan_code, **programme["row"]}])
        for table, rows in ((DispositifAction, programme["actions"]), (DispositifBudget, programme["budget"])):
            if rows:
                conn.execute(insert(table), [{"plan_code": plan_code, "dispositif_code": code, **r} for r in rows])
        if programme["results"]:
            conn.execute(insert(DispositifResult), [{"plan_code": plan_code, "dispositif_code": code, **r} for r in programme["results"]])
    return len(programmes)


def dispositif_results(conn: Connection, plan_code: str) -> pd.DataFrame:
    """Every published (or worked-out) result of the plan's programmes, one row each (RESULT_COLUMNS),
    by programme and in the file's order: ``label`` and ``unit`` in French, ``period_start`` and
    ``period_end`` the period it covers (both empty when the document gives none)."""
    r, d = DispositifResult, Dispositif
    rows = conn.execute(
        select(
            r.dispositif_code, d.name, r.position, r.outcome, r.value, r.bound, r.period_start, r.period_end, r.base, r.computed, r.quote
        )
        .join(d, (d.plan_code == r.plan_code) & (d.code == r.dispositif_code))
        .where(r.plan_code == plan_code)
        .order_by(r.dispositif_code, r.position)
    ).all()
    frame = pd.DataFrame(
        [
            (c, n, p, o, OUTCOMES[Outcome(o)].label, OUTCOMES[Outcome(o)].unit, v, b, s, e, base, bool(comp), q)
            for c, n, p, o, v, b, s, e, base, comp, q in rows
        ],
        columns=RESULT_COLUMNS,
    )
    texts = ["bound", "base", "quote"]  # an absent bound, base or quote is None, not NaN
    frame[texts] = frame[texts].astype(object).where(frame[texts].notna(), None)
    return frame


def dispositif_table(conn: Connection, plan_code: str) -> pd.DataFrame:
    """The plan's programmes, one row each (PROGRAMME_COLUMNS) in code order; texts as the file
    words them, lists « ; »-separated, absent texts None."""
    d = Dispositif
    rows = conn.execute(select(*(getattr(d, column) for column in PROGRAMME_COLUMNS)).where(d.plan_code == plan_code).order_by(d.code))
    frame = pd.DataFrame(rows.all(), columns=PROGRAMME_COLUMNS)
    return frame.astype(object).where(frame.notna(), None)


def dispositif_actions(conn: Connection, plan_code: str) -> pd.DataFrame:
    """The fiches-action each programme serves (ACTION_COLUMNS), by programme and fiche position."""
    a, p = DispositifAction, PlanAction
    rows = conn.execute(
        select(a.dispositif_code, a.action_code, p.title)
        .join(p, (p.plan_code == a.plan_code) & (p.code == a.action_code))
        .where(a.plan_code == plan_code)
        .order_by(a.dispositif_code, p.position)
    )
    return pd.DataFrame(rows.all(), columns=ACTION_COLUMNS)


def dispositif_budgets(conn: Connection, plan_code: str) -> pd.DataFrame:
    """Each programme's budget lines as published (BUDGET_COLUMNS), in the file's order:
    ``funder`` None for the programme's total a year, else that funder's share (never added up)."""
    b = DispositifBudget
    rows = conn.execute(
        select(*(getattr(b, column) for column in BUDGET_COLUMNS)).where(b.plan_code == plan_code).order_by(b.dispositif_code, b.position)
    )
    frame = pd.DataFrame(rows.all(), columns=BUDGET_COLUMNS)
    frame["funder"] = frame["funder"].astype(object).where(frame["funder"].notna(), None)
    return frame


def _programme(data: Any, name: str, action_codes: set[str]) -> dict[str, Any]:
    where = f"Dispositif {name}"
    if not isinstance(data, Mapping):
        raise UserError(f"{where} : le fichier ne décrit pas un dispositif (clés attendues : code, nom, periode, resultats…).")
    missing = [key for key in ("code", "nom", "source", "operateurs", "periode", "territoire") if not data.get(key)]
    if missing:
        raise UserError(f"{where} : champ(s) manquant(s) : {', '.join(missing)}.")
    period = data["periode"]
    start_year, end_year = _year(period.get("debut"), where), _year(period.get("fin"), where)
    if end_year < start_year:
        raise UserError(f"{where} : la période finit ({end_year}) avant de commencer ({start_year}).")
    fiches = [str(code) for code in data.get("fiches") or []]
    unknown = [code for code in fiches if code not in action_codes]
    if unknown:
        raise UserError(f"{where} : fiche(s)-action absente(s) du plan : {', '.join(unknown)}.")
    territory = data["territoire"]
    row = dict(
        code=str(data["code"]),
        name=str(data["nom"]),
        programme=data.get("programme"),
        category=data.get("categorie"),
        source=str(data["source"]),
        presentation=data.get("presentation"),
        operators=" ; ".join(map(str, data["operateurs"])),
        support=" ; ".join(map(str, data.get("accompagnement") or [])) or None,
        funders=" ; ".join(map(str, data.get("financeurs") or [])) or None,
        human_means=data.get("moyens_humains"),
        public=data.get("public"),
        start_year=start_year,
        end_year=end_year,
        territory_code=str(territory["code"]),
        territory_label=str(territory.get("nom") or territory["code"]),
    )
    return {
        "row": row,
        "actions": [{"action_code": code} for code in fiches],
        "budget": _budget(data.get("budget") or [], where),
        "results": _results(data.get("resultats") or [], where),
    }


def _budget(lines: list[Any], where: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for line in lines:
        start, end = _year(line.get("debut"), where), _year(line.get("fin"), where)
        rows.append(dict(start_year=start, end_year=end, funder=None, euros_per_year=_euros(line.get("euros_par_an"), where)))
        for funder in line.get("financeurs") or []:
            rows.append(dict(start_year=start, end_year=end, funder=str(funder["nom"]), euros_per_year=_euros(funder.get("euros"), where)))
    return [dict(position=position, **row) for position, row in enumerate(rows)]


def _results(entries: list[Any], where: str) -> list[dict[str, Any]]:
    results = [_result(entry, position, where) for position, entry in enumerate(entries, start=1)]
    by_key = {(r["outcome"], r["period_start"], r["period_end"]): r for r in results}
    periods = sorted({(start, end) for _, start, end in by_key}, key=str)
    for outcome, info in OUTCOMES.items():
        for start, end in periods if info.parts else []:
            numerator, denominator = (by_key.get((part, start, end)) for part in info.parts or ())
            if numerator is None or denominator is None or not denominator["value"]:
                continue
            worked_out = numerator["value"] / denominator["value"] * info.scale
            published = by_key.get((outcome, start, end))
            if published is None:
                results.append(
                    _empty_result(len(results) + 1)
                    | dict(
                        outcome=outcome.value,
                        value=worked_out,
                        period_start=start,
                        period_end=end,
                        base=denominator["outcome"],
                        computed=True,
                    )
                )
            elif published["bound"] is None and abs(published["value"] - worked_out) > ROUNDING:
                raise UserError(
                    f"{where} : « {info.label} » publié à {fr_number(published['value'], 1)} {info.unit} ne correspond pas à ses "
                    f"composantes ({fr_number(numerator['value'])} / {fr_number(denominator['value'])} donnent {fr_number(worked_out, 1)})."
                )
    return results


def _empty_result(position: int) -> dict[str, Any]:
    return dict(position=position, bound=None, base=None, computed=False, quote=None)


def _result(entry: Any, position: int, where: str) -> dict[str, Any]:
    label = f"{where}, résultat n° {position}"
    try:
        outcome = Outcome(str(entry.get("resultat")))
    except (ValueError, AttributeError):
        known = ", ".join(o.value for o in Outcome)
        raise UserError(
            f"{label} : résultat inconnu « {entry.get('resultat') if isinstance(entry, Mapping) else entry} » (attendus : {known})."
        ) from None
    value = entry.get("valeur")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UserError(f"{label} : la valeur « {value} » n'est pas un nombre.")
    bound = entry.get("borne")
    if bound is not None and bound not in {b.value for b in OutcomeBound}:
        raise UserError(f"{label} : borne « {bound} » inconnue (attendues : {', '.join(b.value for b in OutcomeBound)}).")
    start, end = _day(entry.get("debut"), label), _day(entry.get("fin"), label)
    if start and end and end < start:
        raise UserError(f"{label} : la période finit avant de commencer.")
    base = entry.get("base")
    if base is not None and base not in {o.value for o in Outcome}:
        raise UserError(f"{label} : base « {base} » inconnue.")
    return dict(_empty_result(position), outcome=outcome.value, value=float(value), bound=bound, period_start=start, period_end=end) | {
        "base": base,
        "quote": entry.get("citation"),
    }


def _year(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1990 <= value <= 2100:
        raise UserError(f"{where} : année « {value} » invalide (attendue : 2016, par exemple).")
    return value


def _day(value: Any, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    raise UserError(f"{where} : date « {value} » invalide (attendue : AAAA-MM-JJ, par exemple 2018-12-31).")


def _euros(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise UserError(f"{where} : montant « {value} » invalide (attendu : des euros, par exemple 207000).")
    return float(value)
