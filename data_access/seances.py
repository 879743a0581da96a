"""Séances (issue 7, « mode réunion ») : saved, ordered sequences of dashboard views shown in a CCAPEX meeting.

A view is a page of the dashboard (its file stem, one of ``PAGES``), the URL query parameters that reopen it
(str → str), a French title and an optional speaker note. The views of a séance always sit at positions
0..n-1. Every function runs on the caller's Connection, inside the caller's transaction; none imports
Streamlit. Who may write is the caller's business: the UI checks the data-manager role.

Plans may ship example séances in ``plans/<code>/seances.yaml`` (``load_seances_file``, called by
``data_access.plans.load_plan``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import yaml
from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from data_access.errors import UserError
from data_access.models import Plan, Seance, SeanceView
from data_access.vocabulary import HOME_PAGE, SEANCE_PAGES
from data_access.write_lock import take_write_lock
from data_access.yaml_files import read_yaml

PAGES = tuple(page.value for page in SEANCE_PAGES)  # the pages whose views a séance may hold
SEANCE_COLUMNS = ("id", "plan_code", "name", "meeting_date", "n_views", "updated_at")
VIEW_COLUMNS = ("id", "position", "page", "params", "title", "note")
FILE_USER = "seances.yaml"  # created_by / updated_by of the séances a plan ships
NAME_MAX = 200  # length of seance.name


# --- reading -------------------------------------------------------------------------------------------


def seances(conn: Connection, *, plan: str | None = None) -> pd.DataFrame:
    """The séances of ``plan`` (every plan when None), dated ones first (most recent first), then undated by name.

    Columns: SEANCE_COLUMNS; ``meeting_date`` is a ``datetime.date`` or None, ``updated_at`` naive UTC,
    ``n_views`` an int (0 for a séance without views). No séance: an empty frame with these columns.
    """
    counts = select(SeanceView.seance_id, func.count().label("n_views")).group_by(SeanceView.seance_id).subquery()
    stmt = select(
        Seance.id,
        Seance.plan_code,
        Seance.name,
        Seance.meeting_date,
        func.coalesce(counts.c.n_views, 0).label("n_views"),
        Seance.updated_at,
    ).outerjoin(counts, counts.c.seance_id == Seance.id)
    if plan is not None:
        stmt = stmt.where(Seance.plan_code == plan)
    stmt = stmt.order_by(Seance.plan_code, Seance.meeting_date.is_(None), Seance.meeting_date.desc(), Seance.name)
    return pd.DataFrame(conn.execute(stmt).all(), columns=list(SEANCE_COLUMNS))


def seance_views(conn: Connection, *, seance_id: int) -> pd.DataFrame:
    """The views of a séance in presentation order (``position`` 0..n-1).

    Columns: VIEW_COLUMNS; ``params`` is a dict (str → str), ``note`` text (missing, ``pd.isna``, when none). A séance without views
    gives an empty frame with these columns; an unknown séance a UserError.
    """
    _seance_name(conn, seance_id)
    rows = conn.execute(
        select(SeanceView.id, SeanceView.position, SeanceView.page, SeanceView.params, SeanceView.title, SeanceView.note)
        .where(SeanceView.seance_id == seance_id)
        .order_by(SeanceView.position)
    ).all()
    return pd.DataFrame(
        [(r.id, r.position, r.page, json.loads(r.params), r.title, r.note) for r in rows],
        columns=list(VIEW_COLUMNS),
    )


def seance_by_name(conn: Connection, *, name: str, plan: str | None = None) -> int:
    """The id of the séance called ``name`` (in ``plan`` when given).

    UserError listing the known names when there is none, or asking for the plan when several plans have one.
    """
    stmt = select(Seance.id, Seance.plan_code, Seance.name).order_by(Seance.plan_code, Seance.name)
    if plan is not None:
        stmt = stmt.where(Seance.plan_code == plan)
    rows = conn.execute(stmt).all()
    matches = [r for r in rows if r.name == name.strip()]
    if len(matches) == 1:
        return int(matches[0].id)
    if matches:
        plans = ", ".join(r.plan_code for r in matches)
        raise UserError(f"Plusieurs plans ont une séance « {name} » ({plans}) : précisez le plan.")
    known = ", ".join(f"« {r.name} »" for r in rows) or "aucune"
    where = f" pour le plan {plan}" if plan is not None else ""
    raise UserError(f"Séance « {name} » introuvable{where}. Séances enregistrées : {known}.")


def view_url(page: str, params: Mapping[str, str], *, presentation: bool = False) -> str:
    """The relative URL that reopens a view: ``/tendances?debut=2021&…`` (``/?…`` for the overview).

    Parameters are url-encoded in key order; ``presentation=1`` is added last when ``presentation`` is true
    (a ``presentation`` key in ``params`` is ignored: the caller decides).

    Examples
    --------
    >>> view_url("tendances", {"plan": "isere-palhdi-2014-2020", "indicateur": "assignations"}, presentation=True)
    '/tendances?indicateur=assignations&plan=isere-palhdi-2014-2020&presentation=1'
    >>> view_url("vue_ensemble", {})
    '/'
    """
    _check_page(page)
    query = {key: params[key] for key in sorted(params) if key != "presentation"}
    if presentation:
        query["presentation"] = "1"
    path = "/" if page == HOME_PAGE else f"/{page}"
    return f"{path}?{urlencode(query)}" if query else path


# --- writing -------------------------------------------------------------------------------------------


def create_seance(conn: Connection, *, plan: str, name: str, meeting_date: dt.date | None = None, user: str) -> int:
    """Create an empty séance of ``plan`` and return its id. UserError for an unknown plan or a name already used."""
    take_write_lock(conn)
    known_plans = list(conn.scalars(select(Plan.code).order_by(Plan.code)))
    if plan not in known_plans:
        raise UserError(f"Plan « {plan} » inconnu (plans chargés : {', '.join(known_plans) or 'aucun'}).")
    name = _clean_name(name)
    _check_free_name(conn, plan, name)
    now = _now()
    result = conn.execute(
        insert(Seance).values(
            plan_code=plan,
            name=name,
            meeting_date=_check_date(meeting_date),
            created_at=now,
            created_by=user,
            updated_at=now,
            updated_by=user,
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def rename_seance(conn: Connection, *, seance_id: int, name: str, user: str) -> None:
    """Give a séance another name, unique within its plan."""
    take_write_lock(conn)
    _seance_name(conn, seance_id)
    name = _clean_name(name)
    plan = conn.scalar(select(Seance.plan_code).where(Seance.id == seance_id))
    _check_free_name(conn, str(plan), name, other_than=seance_id)
    conn.execute(update(Seance).where(Seance.id == seance_id).values(name=name))
    _touch(conn, seance_id, user)


def delete_seance(conn: Connection, *, seance_id: int, user: str) -> None:
    """Delete a séance and its views. ``user`` is accepted like every write's, though nothing keeps it once the row is gone."""
    take_write_lock(conn)
    _seance_name(conn, seance_id)
    # the schema cascades too (ON DELETE CASCADE), but SQLite enforces it only with PRAGMA foreign_keys=ON:
    # deleting the views here keeps any connection, including a bare create_engine(), from leaving orphans
    conn.execute(delete(SeanceView).where(SeanceView.seance_id == seance_id))
    conn.execute(delete(Seance).where(Seance.id == seance_id))


def add_view(
    conn: Connection, *, seance_id: int, page: str, params: Mapping[str, str], title: str, note: str | None = None, user: str
) -> int:
    """Append a view after the séance's last one and return its id.

    Parameters
    ----------
    page : one of PAGES (the page's file stem).
    params : the URL query parameters (str → str); a ``presentation`` key is dropped, since presenting is a
        choice made when the séance is shown, not part of the view.
    title, note : French title (required) and speaker note (optional; blank means none).
    """
    take_write_lock(conn)
    _seance_name(conn, seance_id)
    row = _view_row(page, params, title, note)
    position = conn.scalar(select(func.coalesce(func.max(SeanceView.position) + 1, 0)).where(SeanceView.seance_id == seance_id))
    result = conn.execute(insert(SeanceView).values(seance_id=seance_id, position=position, **row))
    _touch(conn, seance_id, user)
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def move_view(conn: Connection, *, seance_id: int, view_id: int, new_position: int, user: str) -> None:
    """Move a view to ``new_position`` (0-based: 0 is first, n-1 last); the others keep their relative order."""
    take_write_lock(conn)
    name = _seance_name(conn, seance_id)
    order = _view_ids(conn, seance_id, view_id, name)
    if not 0 <= new_position < len(order):
        raise UserError(
            f"Position {new_position} hors limites : la séance « {name} » compte {len(order)} vue(s) (positions 0 à {len(order) - 1})."
        )
    if order.index(view_id) == new_position:
        return
    order.remove(view_id)
    order.insert(new_position, view_id)
    _renumber(conn, seance_id, order)
    _touch(conn, seance_id, user)


def delete_view(conn: Connection, *, seance_id: int, view_id: int, user: str) -> None:
    """Delete one view of a séance; the following views move up one position."""
    take_write_lock(conn)
    name = _seance_name(conn, seance_id)
    order = _view_ids(conn, seance_id, view_id, name)
    conn.execute(delete(SeanceView).where(SeanceView.id == view_id))
    order.remove(view_id)
    _renumber(conn, seance_id, order)
    _touch(conn, seance_id, user)


# --- séances shipped with a plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _FileSeance:
    name: str
    meeting_date: dt.date | None
    views: tuple[dict[str, Any], ...]  # rows of _view_row, in order


def load_seances_file(conn: Connection, plan_code: str, path: Path) -> int:
    """Load the séances of ``path`` (a plan's ``seances.yaml``) into ``plan_code``; returns how many were written.

    The whole file is checked before anything is written. A séance is matched by name and created only when
    absent: a séance already stored (perhaps edited in the dashboard since) is left as it is, so loading twice
    changes nothing and ``setup`` never undoes a data manager's edits. Séances not in the file are never touched.

    File format::

        seances:
          - nom: CCAPEX plénière — exemple
            date: null                      # or 2025-12-04
            vues:
              - page: tendances             # one of PAGES
                titre: "Assignations : évolution 2021–2025"
                note: …                     # optional
                parametres: {plan: isere-palhdi-2014-2020, debut: 2021, indicateur: assignations}
    """
    written = 0
    for seance in _read_seances_file(path, plan_code):
        exists = conn.scalar(select(Seance.id).where(Seance.plan_code == plan_code, Seance.name == seance.name))
        if exists is not None:  # edits made in the dashboard are kept
            continue
        seance_id = create_seance(conn, plan=plan_code, name=seance.name, meeting_date=seance.meeting_date, user=FILE_USER)
        _insert_views(conn, seance_id, seance.views)
        written += 1
    return written


def _read_seances_file(path: Path, plan_code: str) -> list[_FileSeance]:
    try:
        content = read_yaml(path) or {}
    except yaml.YAMLError as error:
        raise UserError(f"{path} n'est pas un YAML valide : {error}") from error
    if not isinstance(content, dict) or not isinstance(content.get("seances"), list):
        raise UserError(f"{path} : la rubrique « seances » (une liste de séances) manque.")
    result, names = [], set()
    for number, item in enumerate(content["seances"], start=1):
        where = f"{path}, séance {number}"
        if not isinstance(item, dict) or not isinstance(item.get("vues"), list):
            raise UserError(f"{where} : attendu « nom », « vues » (une liste) et, au besoin, « date ».")
        try:
            name = _clean_name(str(item.get("nom") or ""))
            meeting_date = _check_date(_iso_date(item.get("date")))
            views = tuple(_file_view(view, plan_code) for view in item["vues"])
        except UserError as error:
            raise UserError(f"{where} : {error}") from error
        if name in names:
            raise UserError(f"{where} : le nom « {name} » est déjà celui d'une autre séance du fichier.")
        names.add(name)
        result.append(_FileSeance(name, meeting_date, views))
    return result


def _file_view(view: Any, plan_code: str) -> dict[str, Any]:
    if not isinstance(view, dict) or "page" not in view or "titre" not in view:
        raise UserError(f"chaque vue a une « page », un « titre » et, au besoin, des « parametres » et une « note » (lu : {view!r}).")
    raw = view.get("parametres") or {}
    if not isinstance(raw, dict) or any(isinstance(v, dict | list) for v in raw.values()):
        raise UserError(f"vue « {view['titre']} » : les paramètres sont des paires nom : valeur (lu : {raw!r}).")
    params = {str(k): str(v) for k, v in raw.items()}  # YAML reads 2021 as an int; URL parameters are text
    if params.get("plan", plan_code) != plan_code:
        raise UserError(
            f"vue « {view['titre']} » : le paramètre plan vaut « {params['plan']} », alors que le fichier est celui de {plan_code}."
        )
    return _view_row(str(view["page"]), params, str(view["titre"]), view.get("note"))


def _insert_views(conn: Connection, seance_id: int, views: Sequence[dict[str, Any]]) -> None:
    if views:
        conn.execute(insert(SeanceView), [dict(view, seance_id=seance_id, position=i) for i, view in enumerate(views)])


# --- helpers --------------------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _check_page(page: str) -> None:
    if page not in PAGES:
        raise UserError(f"Page « {page} » inconnue (attendu : {', '.join(PAGES)}).")


def _check_date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    raise UserError(f"Date de séance « {value} » invalide (attendu : une date, par exemple 2025-12-04, ou rien).")


def _iso_date(value: Any) -> Any:
    """A ``2025-12-04`` string as a date (YAML already reads an unquoted one as a date); anything else as it is."""
    if not isinstance(value, str):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return value  # _check_date says what was expected


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise UserError("Le nom de la séance est vide : donnez-lui un nom, par exemple « CCAPEX plénière — décembre 2025 ».")
    if len(name) > NAME_MAX:
        raise UserError(f"Nom de séance trop long ({len(name)} caractères ; {NAME_MAX} au plus).")
    return name


def _check_free_name(conn: Connection, plan: str, name: str, other_than: int | None = None) -> None:
    stmt = select(Seance.id).where(Seance.plan_code == plan, Seance.name == name)
    if other_than is not None:
        stmt = stmt.where(Seance.id != other_than)
    if conn.scalar(stmt) is not None:
        raise UserError(
            f"Une séance « {name} » existe déjà pour le plan {plan} : choisissez un autre nom, ou complétez la séance existante."
        )


def _view_row(page: str, params: Mapping[str, str], title: str, note: str | None) -> dict[str, Any]:
    """The stored columns of a view, checked: page, canonical JSON params, title, note (None when blank)."""
    _check_page(page)
    bad = {k: v for k, v in params.items() if not isinstance(k, str) or not isinstance(v, str)}
    if bad:
        raise UserError(f"Paramètres d'adresse invalides {bad!r} : noms et valeurs sont du texte, par exemple {{'debut': '2021'}}.")
    title = title.strip()
    if not title:
        raise UserError("Le titre de la vue est vide : donnez-lui un titre, par exemple « Assignations : évolution 2021–2025 ».")
    kept = {k: v for k, v in params.items() if k != "presentation"}
    return dict(
        page=page,
        params=json.dumps(kept, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
        title=title,
        note=(note or "").strip() or None,
    )


def _seance_name(conn: Connection, seance_id: int) -> str:
    name = conn.scalar(select(Seance.name).where(Seance.id == seance_id))
    if name is None:
        raise UserError(f"Séance n° {seance_id} introuvable : elle a peut-être été supprimée. Rechargez la liste des séances.")
    return str(name)


def _view_ids(conn: Connection, seance_id: int, view_id: int, name: str) -> list[int]:
    """The séance's view ids in order; UserError when ``view_id`` is not one of them."""
    order = list(conn.scalars(select(SeanceView.id).where(SeanceView.seance_id == seance_id).order_by(SeanceView.position)))
    if view_id not in order:
        raise UserError(f"Vue n° {view_id} introuvable dans la séance « {name} » : elle a peut-être été supprimée.")
    return order


def _renumber(conn: Connection, seance_id: int, order: Sequence[int]) -> None:
    """Give the views of ``order`` positions 0..n-1.

    Two passes, because the unique (seance_id, position) constraint is checked row by row (PostgreSQL checks
    a non-deferrable constraint as each row is updated): first every view moves to a negative position that
    no final one uses, then to its final position, so no intermediate state ever holds a duplicate.
    """
    conn.execute(update(SeanceView).where(SeanceView.seance_id == seance_id).values(position=-1 - SeanceView.position))
    if order:
        conn.execute(
            update(SeanceView).where(SeanceView.id == bindparam("view_id")).values(position=bindparam("final")),
            [{"view_id": view, "final": position} for position, view in enumerate(order)],
        )


def _touch(conn: Connection, seance_id: int, user: str) -> None:
    conn.execute(update(Seance).where(Seance.id == seance_id).values(updated_at=_now(), updated_by=user))
