"""Import a follow-up file (``python -m data_access progress import``): the fiches' état
d'avancement, réalisations, commentaire, pilote, partenaires, moyens, and their milestones.

One row per fiche and year, headers (case and accents ignored): ``fiche``, ``annee``, ``etat``,
``realisations``, ``commentaire``, ``pilote``, ``partenaires``, ``moyens``; optional ``plan`` (the
plan's code, the same on every row), ``jalon`` and ``date``: a row with ``jalon`` (the milestone's
number, as ``milestone`` lists them, or its label) records that milestone's state (``etat``:
réalisé, abandonné or à renseigner; réalisé with its ``date``; ``commentaire`` is the milestone's),
and nothing else (its ``annee``, required as on every row, is the follow-up year it was reported in). ``intitule`` (the template's reminder of the fiche's or milestone's title) is
read by people only. An empty cell leaves the stored value as it is; a row without any value is
skipped.

As data imports (:mod:`data_access.importers`) do: the whole file is read and checked first
(:func:`prepare_progress_import`, nothing written), every error reported with its line; a file
with an error is refused whole; :func:`apply_progress_import` writes everything in the caller's
transaction, as one ``action_progress_import`` whose changes are history rows naming it, so that
:func:`revert_progress_import` undoes the whole file. :func:`progress_template` gives the file to
fill in.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Connection, exists, insert, select, update
from sqlalchemy.orm import aliased

from data_access import progress
from data_access.errors import UserError
from data_access.french import fr_date
from data_access.importers.reading import read_table
from data_access.importers.service import max_upload_bytes
from data_access.importers.store import local_time
from data_access.importers.text import fold
from data_access.importers.validation import ERROR, ISSUE_COLUMNS, issues_frame
from data_access.milestones import COMMENT_MAX, parse_state
from data_access.models import ActionProgressHistory, ActionProgressImport, MilestoneRecord, Objective, Plan, PlanAction
from data_access.vocabulary import MilestoneState
from data_access.write_lock import take_write_lock

# folded header → the column it is
COLUMN_NAMES = {
    "plan": "plan",
    "fiche": "fiche",
    "fiche action": "fiche",
    "intitule": "intitule",
    "annee": "annee",
    "etat": "etat",
    "etat d avancement": "etat",
    "realisations": "realisations",
    "commentaire": "commentaire",
    "pilote": "pilote",
    "partenaires": "partenaires",
    "moyens": "moyens",
    "jalon": "jalon",
    "date": "date",
}
TEMPLATE_COLUMNS = (
    "plan",
    "fiche",
    "intitule",
    "annee",
    "jalon",
    "etat",
    "date",
    "realisations",
    "commentaire",
    "pilote",
    "partenaires",
    "moyens",
)
TEXT_CELLS = {"realisations": "done", "commentaire": "comment", "pilote": "lead", "partenaires": "partners"}
VALUE_CELLS = ("etat", "date", *TEXT_CELLS, "moyens")  # a row without any of these records nothing
PROGRESS_ONLY = ("realisations", "pilote", "partenaires", "moyens")  # not for a milestone row
TEMPLATE_SHEET = "Suivi"
FORMATS = ("xlsx", "csv")
MILESTONE_STATES = "réalisé, abandonné ou à renseigner"
PROGRESS_STATES = "non engagée, engagée, réalisée ou abandonnée"


def _is_header(cells: Sequence[str]) -> bool:
    return {"fiche", "annee"} <= {COLUMN_NAMES.get(fold(c)) for c in cells}


@dataclass(frozen=True)
class PlannedProgress:
    """A row's values for a fiche and year (``given``: the FIELDS it fills, as stored)."""

    line: int
    action: str
    year: int
    given: dict[str, Any]


@dataclass(frozen=True)
class PlannedMilestone:
    """A row's milestone state."""

    line: int
    action: str
    year: int
    position: int
    label: str
    state: MilestoneState
    achieved_on: dt.date | None
    comment: str | None


@dataclass
class ProgressPreview:
    """A checked follow-up file, nothing written: what the user sees before confirming.

    ``issues`` holds every error (ISSUE_COLUMNS, French ``message`` naming the line and column);
    ``counts`` how many fiches and years are new, changed or unchanged, and milestones recorded or
    unchanged, compared with the database when the file was checked.
    """

    file_name: str
    sha256: str
    plan: str
    description: str
    file_rows: int
    progress: list[PlannedProgress]
    milestones: list[PlannedMilestone]
    issues: pd.DataFrame
    error_lines: int
    empty_rows: int
    ignored_columns: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return len(self.issues)

    def refusal(self) -> str:
        return (
            f"Fichier refusé : {self.errors} erreur(s) sur {self.error_lines} ligne(s) ; rien n'a été écrit. "
            "Corrigez le fichier puis importez-le à nouveau."
        )

    def text(self, max_issues: int = 50) -> str:
        """The preview as plain French text (what the CLI prints)."""
        c = self.counts
        lines = [
            f"Fichier : {self.file_name} ({self.description}) ; plan : {self.plan}.",
            f"Lignes lues : {self.file_rows} ; lignes en erreur : {self.error_lines} ; lignes sans saisie : {self.empty_rows}.",
            f"Fiches et années : {c.get('nouvelles', 0)} nouvelle(s), {c.get('modifiées', 0)} modifiée(s), "
            f"{c.get('inchangées', 0)} inchangée(s) ; jalons : {c.get('jalons', 0)} à enregistrer, "
            f"{c.get('jalons inchangés', 0)} inchangé(s).",
        ]
        if self.ignored_columns:
            lines.append(f"Colonnes ignorées : {', '.join(self.ignored_columns)}.")
        if self.errors:
            lines.append(f"Erreurs ({self.errors}) :")
            lines += [f"  {m}" for m in self.issues["message"].head(max_issues)]
            if self.errors > max_issues:
                lines.append(f"  … et {self.errors - max_issues} autre(s).")
        return "\n".join(lines)


# --- reading and checking ----------------------------------------------------------------------


class _Issues:
    def __init__(self) -> None:
        self.rows: list[tuple[int, str, str, str]] = []

    def add(self, line: int, column: str, value: str, problem: str) -> None:
        self.rows.append((line, column, value, problem))

    def frame(self) -> pd.DataFrame:
        if not self.rows:
            return pd.DataFrame(columns=ISSUE_COLUMNS)
        lines, columns, values, problems = zip(*self.rows, strict=True)
        return issues_frame(list(lines), list(columns), list(values), list(problems), ERROR)


def _chosen_plan(conn: Connection, plan: str | None, cells: list[str]) -> str:
    """The plan the file is for: ``plan`` when given, else the file's ``plan`` column, else the only plan loaded."""
    named = sorted({c.strip() for c in cells if c.strip()})
    if plan is None and len(named) == 1:
        plan = named[0]
    if plan is None:
        loaded = list(conn.scalars(select(Plan.code).order_by(Plan.code)))
        if len(loaded) == 1 and not named:
            return loaded[0]
        raise UserError(
            "Précisez le plan du fichier (option --plan CODE"
            + (f" ; le fichier en nomme plusieurs : {', '.join(named[:5])}" if named else "")
            + f" ; plans chargés : {', '.join(loaded) or 'aucun'})."
        )
    progress.plan_period_years(conn, plan)  # UserError for an unknown plan
    return plan


def _fiche_lookup(codes: Sequence[str]) -> dict[str, str]:
    """Folded code → code (« 1.1 », « fiche 1.1 », « 1-1 » read alike)."""
    return {fold(code): code for code in codes}


def _fiche(cell: str, lookup: dict[str, str]) -> str | None:
    key = re.sub(r"^fiche( action)? ", "", fold(cell))
    return lookup.get(key)


def _year(cell: str, first: int, last: int) -> tuple[int | None, str]:
    text = cell.strip()
    if not text:
        return None, "est vide (attendu : l'année du suivi, par exemple 2020)"
    if not re.fullmatch(r"\d{4}", text):
        return None, "n'est pas une année (attendu : quatre chiffres, par exemple 2020)"
    problem = progress.year_problem(int(text), first, last)
    return (None, problem) if problem else (int(text), "")


def _date(cell: str) -> tuple[dt.date | None, str]:
    text = cell.strip()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?", text):
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
        elif m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text):
            day = dt.date(int(m[3]), int(m[2]), int(m[1]))
        else:
            return None, "n'est pas une date (attendu : 30/06/2016 ou 2016-06-30)"
    except ValueError:
        return None, "n'est pas une date valide (attendu : 30/06/2016 ou 2016-06-30)"
    if day > dt.date.today():
        return None, "est dans le futur : un jalon se dit réalisé à une date passée"
    return day, ""


def _milestone(cell: str, milestones: list[tuple[int, str]]) -> tuple[tuple[int, str] | None, str]:
    """The milestone a ``jalon`` cell names: its number (« 2 », « n° 2 », « 2 — Charte adoptée »)
    or its label (whole, or a part found in one label only)."""
    if not milestones:
        return None, "la fiche n'a aucun jalon (objectif qualitatif) : laissez la colonne « jalon » vide"
    numbers = ", ".join(str(n) for n, _ in milestones)
    if m := re.fullmatch(r"(?:n\s*[°o]\s*)?(\d+)(?:\s*[-—–:.]\s*.*)?", cell.strip(), flags=re.IGNORECASE | re.DOTALL):
        chosen = dict(milestones).get(int(m[1]))
        if chosen is None:
            return None, f"n'est pas un jalon de la fiche (jalons : {numbers})"
        return (int(m[1]), chosen), ""
    key = fold(cell)
    exact = [(n, label) for n, label in milestones if fold(label) == key]
    found = exact or [(n, label) for n, label in milestones if len(key) >= 5 and key in fold(label)]
    if len(found) == 1:
        return found[0], ""
    if found:
        return None, f"désigne plusieurs jalons ({', '.join(str(n) for n, _ in found)}) : indiquez le numéro"
    return None, f"n'est le libellé d'aucun jalon de la fiche : indiquez le numéro (jalons : {numbers})"


def _milestones_by_fiche(conn: Connection, plan: str) -> dict[str, list[tuple[int, str]]]:
    by_fiche: dict[str, list[tuple[int, str]]] = {}
    for action, position, label in conn.execute(
        select(Objective.action_code, Objective.position, Objective.label)
        .where(Objective.plan_code == plan, Objective.kind == "milestone")
        .order_by(Objective.action_code, Objective.position)
    ):
        by_fiche.setdefault(str(action), []).append((int(position), str(label)))
    return by_fiche


def prepare_progress_import(
    conn: Connection,
    data: bytes,
    file_name: str,
    *,
    plan: str | None = None,
    sheet: str | None = None,
    max_bytes: int | None = None,
) -> ProgressPreview:
    """Read and check a whole follow-up file against the database, without writing anything.

    Parameters
    ----------
    conn
        A connection (read only is enough).
    data, file_name
        The file's bytes (CSV or XLSX, read in memory) and its name.
    plan
        The plan's code; by default the file's ``plan`` column, else the only plan loaded.
    sheet
        The XLSX sheet to read (by default the only one with data).
    max_bytes
        Size limit (default: the upload limit of data imports).

    Raises UserError when the file cannot be read at all (size, format, no ``fiche`` and
    ``annee`` header, no plan); problems of rows are in ``ProgressPreview.issues``.
    """
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    if len(data) > limit:
        raise UserError(f"Fichier trop volumineux : {len(data) / 1048576:.1f} Mo pour {limit / 1048576:.0f} Mo au plus.")
    table = read_table(data, file_name, sheet, _is_header)
    columns: dict[str, str] = {}  # column → the file's header label
    issues = _Issues()
    ignored = []
    for label in table.frame.columns:
        column = COLUMN_NAMES.get(fold(label))
        if column is None:
            ignored.append(str(label))
        elif column in columns:
            issues.add(table.header_line, str(label), "", f"répète la colonne « {columns[column]} » : une seule colonne « {column} »")
        else:
            columns[column] = str(label)
    missing = [c for c in ("fiche", "annee") if c not in columns]
    if missing:
        raise UserError(
            f"Colonne(s) {', '.join(f'« {c} »' for c in missing)} introuvable(s) : l'en-tête doit nommer au moins « fiche » et "
            "« annee » (modèle : python -m data_access progress import --template modele.xlsx --plan CODE)."
        )
    frame = table.frame.rename(columns={label: column for column, label in columns.items()})
    cells = {c: frame[c].astype(str).str.strip().tolist() if c in frame else [""] * len(frame) for c in COLUMN_NAMES.values()}
    plan = _chosen_plan(conn, plan, cells["plan"])
    first, last = progress.plan_period_years(conn, plan)
    fiches = _fiche_lookup(progress.plan_fiches(conn, plan))
    milestones = _milestones_by_fiche(conn, plan)
    planned: list[PlannedProgress] = []
    planned_milestones: list[PlannedMilestone] = []
    seen: dict[tuple[str, int], int] = {}
    seen_milestones: dict[tuple[str, int], int] = {}
    empty = 0

    for index, line in enumerate(int(n) for n in table.lines):
        before = len(issues.rows)
        row = {c: values[index] for c, values in cells.items()}

        def report(column: str, problem: str, value: str | None = None, *, line: int = line, row: dict[str, str] = row) -> None:
            issues.add(line, columns.get(column, column), row[column] if value is None else value, problem)

        if row["plan"] and row["plan"] != plan:
            report("plan", f"n'est pas le plan importé (« {plan} ») : un fichier suit un seul plan")
        action = _fiche(row["fiche"], fiches) if row["fiche"] else None
        if not row["fiche"]:
            report("fiche", "est vide (attendu : le code de la fiche-action, par exemple 1.1)")
        elif action is None:
            report("fiche", f"n'est pas une fiche-action du plan {plan} (fiches : {', '.join(fiches.values())})", row["fiche"][:40])
        year, problem = _year(row["annee"], first, last)
        if problem:
            report("annee", problem, row["annee"][:20])
        if not any(row[c] for c in VALUE_CELLS):
            empty += len(issues.rows) == before
            continue
        if row["jalon"]:
            milestone = _milestone_row(row, action, milestones, report)
            if milestone is not None and action is not None and year is not None and len(issues.rows) == before:
                key = (action, milestone[0])
                if key in seen_milestones:
                    report("jalon", f"est le même jalon qu'à la ligne {seen_milestones[key]} : un jalon une seule fois par fichier")
                else:
                    seen_milestones[key] = line
                    state, achieved_on, comment = milestone[2]
                    planned_milestones.append(PlannedMilestone(line, action, year, milestone[0], milestone[1], state, achieved_on, comment))
        else:
            given = _progress_row(row, report)
            if action is not None and year is not None and len(issues.rows) == before:
                if (action, year) in seen:
                    issues.add(
                        line, "", "", f"même fiche et même année qu'à la ligne {seen[(action, year)]} : une ligne par fiche et par année"
                    )
                else:
                    seen[(action, year)] = line
                    planned.append(PlannedProgress(line, action, year, given))
    preview = ProgressPreview(
        file_name=file_name,
        sha256=hashlib.sha256(data).hexdigest(),
        plan=plan,
        description=table.description,
        file_rows=len(table.frame),
        progress=planned,
        milestones=planned_milestones,
        issues=issues.frame(),
        error_lines=len({issue[0] for issue in issues.rows}),
        empty_rows=empty,
        ignored_columns=ignored,
    )
    preview.counts = _counts(conn, preview)
    return preview


def _milestone_row(
    row: dict[str, str], action: str | None, milestones: dict[str, list[tuple[int, str]]], report: Any
) -> tuple[int, str, tuple[MilestoneState, dt.date | None, str | None]] | None:
    """(position, label, (state, date, comment)) of a milestone row, or None (its problems reported)."""
    for column in PROGRESS_ONLY:
        if row[column]:
            report(column, "ne s'applique pas à un jalon : mettez-le sur la ligne de la fiche, sans « jalon »", "")
    found = None
    if action is not None:
        found, problem = _milestone(row["jalon"], milestones.get(action, []))
        if problem:
            report("jalon", problem, row["jalon"][:60])
    state = None
    if not row["etat"]:
        report("etat", f"est vide : l'état du jalon est attendu ({MILESTONE_STATES})")
    else:
        try:
            state = parse_state(row["etat"])
        except UserError:
            report("etat", f"n'est pas un état de jalon (attendu : {MILESTONE_STATES})", row["etat"][:40])
    achieved_on = None
    if row["date"]:
        achieved_on, problem = _date(row["date"])
        if problem:
            report("date", problem, row["date"][:20])
        elif state is not None and state != MilestoneState.REALISE:
            report("date", "ne s'indique que pour un jalon réalisé", row["date"][:20])
    elif state == MilestoneState.REALISE:
        report("date", "est vide : un jalon réalisé demande sa date de réalisation (30/06/2016 ou 2016-06-30)")
    comment = row["commentaire"] or None
    if comment is not None and len(comment) > COMMENT_MAX:
        report("commentaire", f"est trop long pour un jalon : {len(comment)} caractères pour {COMMENT_MAX} au plus", "")
    if found is None or state is None:
        return None
    return found[0], found[1], (state, achieved_on if state == MilestoneState.REALISE else None, comment)


def _progress_row(row: dict[str, str], report: Any) -> dict[str, Any]:
    """The FIELDS a fiche row fills (as stored); its problems reported."""
    given: dict[str, Any] = {}
    if row["date"]:
        report("date", "ne sert qu'à un jalon : indiquez aussi le jalon (colonne « jalon »)", row["date"][:20])
    if row["etat"]:
        try:
            given["state"] = str(progress.parse_progress_state(row["etat"]))
        except UserError:
            report("etat", f"n'est pas un état d'avancement (attendu : {PROGRESS_STATES})", row["etat"][:40])
    for column, name in TEXT_CELLS.items():
        if row[column]:
            problem = progress.text_problem(row[column], name)
            if problem:
                report(column, problem, "")  # the text is not quoted: it may name people
            else:
                given[name] = row[column]
    if row["moyens"]:
        budget, problem = progress.budget_value(row["moyens"])
        if problem:
            report("moyens", problem, row["moyens"][:40])
        else:
            given["budget"] = budget
    return given


def _planned_writes(
    conn: Connection, preview: ProgressPreview
) -> tuple[list[tuple[PlannedProgress, Any, Any]], list[PlannedMilestone], int, int]:
    """What writing the preview changes now: (fiche rows with their stored and new values,
    milestones whose state differs, unchanged fiche rows, unchanged milestones)."""
    writes = []
    unchanged = 0
    for row in preview.progress:
        old = progress.current_values(conn, plan=preview.plan, action=row.action, year=row.year)
        new = progress.merged_values(old, row.given)
        if new is None or (old is not None and not progress.changed_fields(old, new)):
            unchanged += 1
        else:
            writes.append((row, old, new))
    milestones = []
    for m in preview.milestones:
        latest = progress.latest_milestone_record(conn, plan=preview.plan, action=m.action, position=m.position)
        if latest is None:
            same = m.state == MilestoneState.A_RENSEIGNER and m.comment is None
        else:
            same = latest.state == m.state and latest.achieved_on == m.achieved_on and m.comment in (None, latest.comment)
        if not same:
            milestones.append(m)
    return writes, milestones, unchanged, len(preview.milestones) - len(milestones)


def _counts(conn: Connection, preview: ProgressPreview) -> dict[str, int]:
    writes, milestones, unchanged, same_milestones = _planned_writes(conn, preview)
    return {
        "nouvelles": sum(old is None for _, old, _ in writes),
        "modifiées": sum(old is not None for _, old, _ in writes),
        "inchangées": unchanged,
        "jalons": len(milestones),
        "jalons inchangés": same_milestones,
    }


# --- writing and reverting ---------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressImportOutcome:
    """What an import wrote: ``import_id`` None when nothing changed (``message`` says so)."""

    import_id: int | None
    message: str
    fiches: int = 0
    milestones: int = 0


def apply_progress_import(
    conn: Connection, preview: ProgressPreview, *, user: str, now: dt.datetime | None = None
) -> ProgressImportOutcome:
    """Write a checked file in the caller's transaction (``engine.begin()``), as one import.

    Refused whole (UserError) when the file has an error. The file's values are compared again
    with the stored ones (the plan locked, as every follow-up write): a fiche and year or a
    milestone already as the file says is left alone, and nothing at all to change writes
    nothing (``import_id`` None). Each change is a history row of kind « import » naming the import.
    """
    if preview.errors:
        raise UserError(preview.refusal())
    progress.lock_plan(conn, preview.plan)
    writes, milestones, _, _ = _planned_writes(conn, preview)
    if not writes and not milestones:
        return ProgressImportOutcome(None, "Le fichier ne change rien au suivi enregistré : rien n'a été écrit.")
    moment = now or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    user = user.strip()[: progress.USER_MAX] or "inconnu"
    import_id = int(
        conn.execute(
            insert(ActionProgressImport).values(
                plan_code=preview.plan,
                file_name=preview.file_name[:300],
                sha256=preview.sha256,
                rows=preview.file_rows,
                changes=len(writes) + len(milestones),
                imported_by=user,
                imported_at=moment,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )
    for row, old, new in writes:
        progress.write_change(
            conn,
            plan=preview.plan,
            action=row.action,
            year=row.year,
            old=old,
            new=new,
            user=user,
            kind=progress.IMPORT,
            now=moment,
            import_id=import_id,
        )
    for m in milestones:
        progress.record_milestone(
            conn,
            plan=preview.plan,
            action=m.action,
            year=m.year,
            position=m.position,
            state=m.state,
            achieved_on=m.achieved_on,
            comment=m.comment,
            user=user,
            kind=progress.IMPORT,
            now=moment,
            import_id=import_id,
        )
    message = (
        f"Suivi importé : import n° {import_id} ; {len(writes)} fiche(s) et année(s) enregistrée(s), {len(milestones)} jalon(s). "
        f"Pour l'annuler : python -m data_access progress revert {import_id}."
    )
    return ProgressImportOutcome(import_id, message, len(writes), len(milestones))


@dataclass(frozen=True)
class ProgressRevert:
    """What reverting an import did; ``message`` in French."""

    import_id: int
    restored: int
    milestones: int
    kept_milestones: int
    message: str


def revert_progress_import(conn: Connection, import_id: int, *, user: str, now: dt.datetime | None = None) -> ProgressRevert:
    """Undo a whole imported file: each fiche and year it changed gets its values back, each
    milestone it recorded its previous state (« à renseigner » when it had none).

    A change of the import already undone one by one stays undone. A milestone recorded again since
    keeps that later record (reported, as data reverts do for values a later import brought).
    The revert is itself a set of history rows (kind « annulation_import »).

    Raises
    ------
    UserError
        Unknown or already reverted import; a fiche and year changed since the import (undo that
        change first, ``progress undo``, so that every restore is exact). Nothing is written then.
    """
    take_write_lock(conn)  # before reading whether it is already reverted
    row = conn.execute(select(ActionProgressImport).where(ActionProgressImport.id == import_id)).first()
    if row is None:
        raise UserError(f"Aucun import de suivi n° {import_id} : voyez la liste avec « python -m data_access progress imports ».")
    if row.reverted_at is not None:
        raise UserError(
            f"L'import de suivi n° {import_id} a déjà été annulé le {local_time(row.reverted_at):%d/%m/%Y à %H:%M} : rien à faire."
        )
    progress.lock_plan(conn, row.plan_code)
    h = ActionProgressHistory
    later = aliased(h)
    changes = conn.execute(select(h).where(h.import_id == import_id, ~exists().where(later.reverts_id == h.id)).order_by(h.id.desc())).all()
    conflicts, kept, fiches, milestones = [], 0, [], []
    for change in changes:
        if change.milestone_position is not None:
            latest = progress.latest_milestone_record(
                conn, plan=change.plan_code, action=change.action_code, position=change.milestone_position
            )
            if latest is not None and latest.id != change.milestone_record_id:
                kept += 1  # recorded again since: the later record stands
            else:
                milestones.append(change)
            continue
        last = progress.last_change(conn, plan=change.plan_code, action=change.action_code, year=change.year)
        if last is None or last.id != change.id:
            when = f"le {fr_date(local_time(last.changed_at))} par {last.changed_by}" if last is not None else ""
            conflicts.append(
                f"fiche {change.action_code} en {change.year} (modifiée {when} ; python -m data_access progress undo "
                f"--plan {change.plan_code} --action {change.action_code} --year {change.year})"
            )
        else:
            fiches.append(change)
    if conflicts:
        shown = " ; ".join(conflicts[:5]) + (f" ; et {len(conflicts) - 5} autre(s)" if len(conflicts) > 5 else "")
        raise UserError(
            f"L'import de suivi n° {import_id} ne peut pas être annulé : des fiches ont été modifiées depuis, annulez d'abord "
            f"ces modifications : {shown}."
        )
    moment = now or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    for change in fiches:
        progress.restore_change(conn, change, user=user, kind=progress.REVERT, now=moment)
    for change in milestones:
        previous = None
        if change.previous_record_id is not None:
            m = MilestoneRecord
            previous = conn.execute(select(m.state, m.achieved_on, m.comment).where(m.id == change.previous_record_id)).one()
        progress.record_milestone(
            conn,
            plan=change.plan_code,
            action=change.action_code,
            year=change.year,
            position=change.milestone_position,
            state=MilestoneState(previous.state) if previous is not None else MilestoneState.A_RENSEIGNER,
            achieved_on=previous.achieved_on if previous is not None else None,
            comment=previous.comment if previous is not None else None,
            user=user,
            kind=progress.REVERT,
            now=moment,
            reverts_id=change.id,
        )
    conn.execute(
        update(ActionProgressImport)
        .where(ActionProgressImport.id == import_id)
        .values(reverted_at=moment, reverted_by=user.strip()[: progress.USER_MAX] or "inconnu")
    )
    message = (
        f"Import de suivi n° {import_id} annulé : {len(fiches)} fiche(s) et année(s) rétablie(s), {len(milestones)} jalon(s) rétabli(s)."
    )
    if kept:
        message += f" {kept} jalon(s) enregistré(s) à nouveau depuis l'import garde(nt) leur état le plus récent."
    return ProgressRevert(import_id, len(fiches), len(milestones), kept, message)


IMPORT_COLUMNS = ("id", "plan_code", "file_name", "rows", "changes", "imported_by", "imported_at", "reverted_by", "reverted_at")


def progress_imports(conn: Connection, *, plan: str | None = None) -> pd.DataFrame:
    """The imported follow-up files, newest first; times in French local time. Columns: IMPORT_COLUMNS."""
    i = ActionProgressImport
    stmt = select(*(getattr(i, c) for c in IMPORT_COLUMNS)).order_by(i.id.desc())
    if plan is not None:
        stmt = stmt.where(i.plan_code == plan)
    frame = pd.DataFrame(conn.execute(stmt).all(), columns=list(IMPORT_COLUMNS))
    for column in ("imported_at", "reverted_at"):
        frame[column] = [local_time(v) if isinstance(v, dt.datetime) and not pd.isna(v) else None for v in frame[column]]
    return frame


# --- template ----------------------------------------------------------------------------------


def template_frame(conn: Connection, *, plan: str, year: int | None = None) -> pd.DataFrame:
    """The template's rows (TEMPLATE_COLUMNS, text cells): one per fiche of the plan for ``year``
    (default: the plan's last year), each followed by one per milestone of the fiche (``jalon`` its
    number, ``intitule`` its label); every value cell empty."""
    first, last = progress.plan_period_years(conn, plan)
    year = last if year is None else year
    problem = progress.year_problem(year, first, last)
    if problem:
        raise UserError(f"Année {year} {problem}.")
    titles = dict(conn.execute(select(PlanAction.code, PlanAction.title).where(PlanAction.plan_code == plan)).all())
    milestones = _milestones_by_fiche(conn, plan)
    rows = []
    for code in progress.plan_fiches(conn, plan):
        blank = dict.fromkeys(TEMPLATE_COLUMNS, "")
        rows.append(blank | {"plan": plan, "fiche": code, "intitule": str(titles[code]), "annee": str(year)})
        for position, label in milestones.get(code, []):
            rows.append(blank | {"plan": plan, "fiche": code, "intitule": label, "annee": str(year), "jalon": str(position)})
    return pd.DataFrame(rows, columns=list(TEMPLATE_COLUMNS))


def template_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """A template frame (:func:`template_frame`) as a file: ``xlsx`` (one sheet « Suivi », codes as
    text) or ``csv`` (UTF-8 with BOM, ``;``: it opens as it is in Excel). Pure: no database."""
    if fmt == "csv":
        buffer = io.StringIO()
        frame.to_csv(buffer, sep=";", index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        return buffer.getvalue().encode("utf-8-sig")
    if fmt != "xlsx":
        raise UserError(f"Format de modèle inconnu « {fmt} » (attendu : {' ou '.join(FORMATS)}).")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = TEMPLATE_SHEET
    sheet.append(list(frame.columns))
    for record in frame.itertuples(index=False):
        sheet.append([int(v) if c == "annee" and str(v).isdigit() else v for c, v in zip(frame.columns, record, strict=True)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGHIJKL", (24, 8, 60, 8, 7, 14, 12, 40, 40, 24, 30, 12), strict=True):
        sheet.column_dimensions[column].width = width
    for cells in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        for cell in cells:
            cell.number_format = "@"  # « 1.10 » stays a code, not a number
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def progress_template(conn: Connection, *, plan: str, fmt: str = "xlsx", year: int | None = None) -> bytes:
    """The file to fill in for ``plan`` (``xlsx`` or ``csv``), pre-filled with its fiches and
    milestones for ``year`` (default: the plan's last year). Reads only; importing it unchanged
    changes nothing."""
    return template_bytes(template_frame(conn, plan=plan, year=year), fmt)


def template_file_name(plan: str, fmt: str, year: int) -> str:
    """« suivi-isere-palhdi-2014-2020-2020.xlsx »."""
    return f"suivi-{plan}-{year}.{fmt}"


__all__ = [
    "ProgressImportOutcome",
    "ProgressPreview",
    "ProgressRevert",
    "apply_progress_import",
    "prepare_progress_import",
    "progress_imports",
    "progress_template",
    "revert_progress_import",
    "template_bytes",
    "template_frame",
    "template_file_name",
]
