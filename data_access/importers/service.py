"""Import a partner's file: read and check everything (:func:`prepare_import`), then write once
(:func:`apply_import`). The CLI and the import page call these two functions and nothing else.

>>> with engine.connect() as conn:                                   # doctest: +SKIP
...     preview = prepare_import(conn, data, "assignations.csv", ImportOptions())
>>> print(preview.text())                                            # doctest: +SKIP
>>> with engine.begin() as conn:                                     # doctest: +SKIP
...     outcome = apply_import(conn, preview, user_name="alice")
"""

from __future__ import annotations

import csv
import hashlib
import io
import time
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from data_access import demo, series_kinds
from data_access.errors import UserError
from data_access.formulas import neutralised
from data_access.french import fr_number
from data_access.importers import compare, formats, histologe, reading, snapshot, store
from data_access.importers.options import FORMAT_NAMES, FORMATS, ImportOptions
from data_access.importers.referential import GRANULARITY_NAMES, load_referential
from data_access.importers.text import fold
from data_access.importers.validation import ERROR, ISSUE_COLUMNS, OBSERVATION_KEY, SOURCE_MAX, WARNING, issues_frame, validate
from data_access.settings import ROOT
from data_access.write_lock import take_write_lock

DEFAULT_MAX_MB = 50
REPORT_COLUMNS = {"ligne": "ligne", "colonne": "colonne", "valeur": "valeur", "gravite": "gravité", "message": "message"}


def max_upload_bytes() -> int:
    """The upload limit of ``.streamlit/config.toml`` (``server.maxUploadSize``, in MB), for the CLI too."""
    try:
        config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
        megabytes = int(config.get("server", {}).get("maxUploadSize", DEFAULT_MAX_MB))
    except (OSError, ValueError, tomllib.TOMLDecodeError):
        megabytes = DEFAULT_MAX_MB
    return megabytes * 1024 * 1024


@dataclass
class Preview:
    """Everything checked, nothing written: what the user sees before confirming.

    ``observations``: the valid values (``line``, OBSERVATION_KEY, ``value``, ``status``, ``source``,
    ``change`` new/changed/unchanged, ``old_value``, ``old_status``, ``old_kind``). ``issues``:
    errors and warnings (ISSUE_COLUMNS). Holds no cell of a personal column (Histologe: counts only).
    """

    file_name: str
    sha256: str
    options: ImportOptions
    format: str
    description: str
    sheet: str | None
    sheets: list[str]
    file_rows: int
    observations: pd.DataFrame
    issues: pd.DataFrame
    error_lines: int
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    already: store.SameImport | None = None
    demo_removed: dict[tuple[str, str], int] = field(default_factory=dict)  # (indicator, département) → demo values the import removes
    series: pd.DataFrame = field(default_factory=pd.DataFrame)  # per (indicator, département) written: demo or real, before and after

    @property
    def fingerprint(self) -> str:
        return self.options.fingerprint(self.format)

    @property
    def errors(self) -> int:
        return int((self.issues["gravite"] == ERROR).sum())

    @property
    def warnings(self) -> int:
        return int((self.issues["gravite"] == WARNING).sum())

    @property
    def decreases(self) -> tuple[int, int]:
        """(stored real values the import lowers, of which to zero): what a snapshot corrects, shown
        before it is applied (demo values are replaced whatever their value: not counted)."""
        obs = self.observations
        if obs.empty:
            return 0, 0
        changed = obs[(obs["change"] == compare.CHANGE_CHANGED) & (obs["old_kind"] != "demo")]
        old = pd.to_numeric(changed["old_value"], errors="coerce")
        down = changed["value"].astype(float) < old
        return int(down.sum()), int((down & (changed["value"].astype(float) == 0)).sum())

    def decrease_sentence(self) -> str:
        down, to_zero = self.decreases
        return f"{down} valeur(s) enregistrée(s) baissent, dont {to_zero} passent à zéro." if down else ""

    @property
    def counts(self) -> dict[str, int]:
        change = self.observations["change"]
        demo = (change == compare.CHANGE_CHANGED) & (self.observations["old_kind"] == "demo")
        return {
            "nouvelles": int((change == compare.CHANGE_NEW).sum()),
            "modifiées": int((change == compare.CHANGE_CHANGED).sum()),
            "inchangées": int((change == compare.CHANGE_UNCHANGED).sum()),
            "remplacent la démo": int(demo.sum()),
        }

    def summary(self) -> pd.DataFrame:
        """One row per indicator and granularity: periods, territories and change counts (French labels)."""
        obs = self.observations
        columns = ["Indicateur", "Périodes", "Première", "Dernière", "Territoires", "Nouvelles", "Modifiées", "Inchangées"]
        if obs.empty:
            return pd.DataFrame(columns=columns)
        rows = []
        for key, group in obs.groupby(["indicator_code", "granularity"], sort=True):
            indicator, granularity = str(key[0]), str(key[1])  # type: ignore[index]
            change = group["change"]
            rows.append(
                [
                    indicator,
                    GRANULARITY_NAMES[granularity],
                    compare.period_text(group["period_start"].min(), granularity),
                    compare.period_text(group["period_start"].max(), granularity),
                    group["territory_code"].nunique(),
                    int((change == compare.CHANGE_NEW).sum()),
                    int((change == compare.CHANGE_CHANGED).sum()),
                    int((change == compare.CHANGE_UNCHANGED).sum()),
                ]
            )
        return pd.DataFrame(rows, columns=columns)

    def report_frame(self) -> pd.DataFrame:
        """The issues as the downloadable report: ligne, colonne, valeur, gravité, message."""
        return self.issues[list(REPORT_COLUMNS)].rename(columns=REPORT_COLUMNS)

    def issues_table(self) -> pd.DataFrame:
        """The issues for display: Ligne, Colonne, Valeur, Gravité, Explication (the sentence without its location)."""
        table = self.issues[["ligne", "colonne", "valeur", "gravite", "probleme"]]
        return table.rename(
            columns={"ligne": "Ligne", "colonne": "Colonne", "valeur": "Valeur", "gravite": "Gravité", "probleme": "Explication"}
        )

    def report_csv(self) -> bytes:
        """The error and warning report as CSV for Excel: UTF-8 with BOM, ``;`` separator; no cell
        a spreadsheet would run as a formula (the exports' rule, :mod:`data_access.formulas`)."""
        buffer = io.StringIO()
        neutralised(self.report_frame()).to_csv(buffer, sep=";", index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        return buffer.getvalue().encode("utf-8-sig")

    def refusal(self) -> str:
        return (
            f"Fichier refusé : {fr_number(self.errors)} erreur(s) sur {fr_number(self.error_lines)} ligne(s) ; rien n'a été écrit. Corrigez le fichier, "
            "ou excluez les lignes en erreur pour importer les autres (case « Exclure les lignes en erreur » de la page, "
            "option --exclude-errors en ligne de commande)."
        )

    def text(self, max_issues: int = 50) -> str:
        """The preview as plain French text (what the CLI prints)."""
        c = self.counts
        lines = [
            f"Fichier : {self.file_name} ({self.description}) ; format : {FORMAT_NAMES[self.format]}.",
            f"Lignes lues : {fr_number(self.file_rows)} ; valeurs valides : {fr_number(len(self.observations))} ; "
            f"lignes en erreur : {fr_number(self.error_lines)}.",
            f"Valeurs : {fr_number(c['nouvelles'])} nouvelles, {fr_number(c['modifiées'])} modifiées"
            + (f" (dont {fr_number(c['remplacent la démo'])} remplacent des données de démonstration)" if c["remplacent la démo"] else "")
            + f", {fr_number(c['inchangées'])} inchangées.",
        ]
        lines += [f"Note : {note}" for note in self.notes]
        if self.decrease_sentence():
            lines.append(f"Baisses : {self.decrease_sentence()}")
        if self.demo_removed:
            lines.append(f"Données de démonstration : {demo_sentence(self.demo_removed, 'seront remplacées ou retirées')}.")
        if self.ignored_columns:
            lines.append(f"Colonnes ignorées : {', '.join(self.ignored_columns)}.")
        if not self.series.empty:
            lines.append("Données en base, par indicateur et département (avant → après l'import) :")
            lines += [f"  {row[1]} ({row[2]}) : {row[3]} → {row[4]}" for row in self.series.itertuples(index=False)]
        summary = self.summary()
        if not summary.empty:
            lines.append("Par indicateur :")
            for row in summary.itertuples(index=False):
                lines.append(
                    f"  {row[0]} ({row[1]}, {row[2]} → {row[3]}) : {fr_number(row[4])} territoire(s) ; "
                    f"{fr_number(row[5])} nouvelles, {fr_number(row[6])} modifiées, {fr_number(row[7])} inchangées"
                )
        for severity, title in ((ERROR, "Erreurs"), (WARNING, "Avertissements")):
            chosen = self.issues[self.issues["gravite"] == severity]
            if chosen.empty:
                continue
            lines.append(f"{title} ({fr_number(len(chosen))}) :")
            lines += [f"  {m}" for m in chosen["message"].head(max_issues)]
            if len(chosen) > max_issues:
                lines.append(f"  … et {fr_number(len(chosen) - max_issues)} autre(s) : rapport complet avec --report FICHIER.csv")
        if self.already is not None:
            lines.append(self.already_message())
        return "\n".join(lines)

    def already_message(self) -> str:
        assert self.already is not None
        return (
            f"Ce fichier a déjà été importé de la même façon (lot n° {self.already.batch_id}, le "
            f"{store.local_time(self.already.created_at):%d/%m/%Y à %H:%M}, par {self.already.user_name}) : rien à faire. "
            "Pour le réimporter, annulez d'abord ce lot."
        )


def peek_rows(data: bytes, sheet: str | None) -> list[list[str]]:
    """The first rows of a file, to recognise its format (nothing else is read; see :func:`reading.head_rows`)."""
    return reading.head_rows(data, sheet)


def header_columns(data: bytes, sheet: str | None = None) -> list[str]:
    """The labels of the probable header row (the first with the most filled cells), for choosing
    the columns of a wide table. Only header cells are returned, never data cells."""
    rows = peek_rows(data, sheet)
    if not rows:
        return []
    filled = [sum(bool(str(c).strip()) for c in row) for row in rows]
    header = rows[filled.index(max(filled))]
    return [str(c).strip() for c in header if str(c).strip()]


def detect_format(data: bytes, options: ImportOptions) -> str:
    """The format named in ``options``, or the one recognised from the header."""
    if options.format is not None:
        if options.format not in FORMATS:
            raise UserError(f"Format inconnu « {options.format} » (attendu : {', '.join(FORMATS)}).")
        return options.format
    rows = peek_rows(data, options.sheet)
    if any(histologe.is_header(row) for row in rows):
        return "histologe"
    if any(formats.is_long_header(row) for row in rows):
        return "long"
    if options.indicator or options.indicator_column or options.territory or options.territory_column:
        return "wide"
    raise UserError(
        "Format non reconnu : l'en-tête n'a ni les colonnes indicateur, territoire, periode, valeur (table longue) ni celles "
        "d'un export Histologe (« Référence », « Déposé le »). Pour une table large (une colonne par période), dites quelle "
        "colonne contient les territoires (--territory-column NOM) et quel est l'indicateur (--indicator CODE), "
        "ou l'inverse (--indicator-column NOM et --territory CODE)."
    )


TIME_BUDGET_SECONDS = 300.0  # a million-row table is read and checked in well under a minute


class TimeBudget:
    """The time a file's reading and checking may take (a hostile file must not hold a worker for long)."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.start = seconds, time.monotonic()

    def check(self) -> None:
        """UserError once the budget is spent; nothing has been written at that point."""
        if time.monotonic() - self.start >= self.seconds:
            raise UserError(
                f"La vérification du fichier dépasse {fr_number(self.seconds / 60, 0 if (self.seconds / 60).is_integer() else 1)} minute(s) : rien n'a été écrit. Découpez-le "
                "(par année, par indicateur ou par territoire) et importez les morceaux l'un après l'autre."
            )


def prepare_import(
    conn: Connection,
    data: bytes,
    file_name: str,
    options: ImportOptions | None = None,
    *,
    classification: Mapping[str, Any] | None = None,
    max_bytes: int | None = None,
    time_budget: float = TIME_BUDGET_SECONDS,
) -> Preview:
    """Read and check a whole file against the database, without writing anything.

    Parameters
    ----------
    conn
        A connection (read only is enough).
    data
        The file's bytes, read in memory (an upload is never written to disk).
    file_name
        Its name, recorded on the batch (a Histologe export's user name part is masked).
    options
        Format and reading options; by default the format is recognised from the header.
    classification
        Histologe classification rules (default: ``histologe.yaml``).
    max_bytes
        Size limit (default: the upload limit of ``.streamlit/config.toml``).
    time_budget
        Seconds the reading and checking may take, looked at between its stages (reading,
        validation, comparison with the database): past it, UserError (:class:`TimeBudget`).

    Raises UserError when the file cannot be read at all (too large, not CSV/XLSX, no header…);
    row problems are reported in ``Preview.issues`` instead.
    """
    options = options or ImportOptions()
    budget = TimeBudget(time_budget)
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    if len(data) > limit:
        raise UserError(
            f"Fichier trop volumineux : {fr_number(len(data) / 1048576, 1)} Mo pour {fr_number(limit / 1048576)} Mo au plus. "
            "Découpez-le (par année ou par indicateur) ou enregistrez-le en CSV, plus compact qu'un classeur."
        )
    if options.status is not None and options.status not in ("provisoire", "définitif"):
        raise UserError(f"Statut inconnu « {options.status} » (attendu : provisoire ou définitif).")
    sha256 = hashlib.sha256(data).hexdigest()
    source_cut = bool(options.source) and len(str(options.source)) > SOURCE_MAX
    if source_cut:
        options = replace(options, source=str(options.source)[:SOURCE_MAX])
    ref = load_referential(conn)
    format_used = detect_format(data, options)
    notes: list[str] = []
    ignored: list[str] = []
    sheet, sheets = options.sheet, reading.sheet_names(data) if reading.is_xlsx(data) else []
    if format_used == "histologe":
        result = histologe.aggregate(data, options, ref, classification)
        budget.check()
        missing = sorted(set(result.observations["indicator_code"]) - set(ref.indicators.index))
        if missing:
            raise UserError(
                f"Indicateurs absents de la base : {', '.join(missing)}. Lancez « python -m data_access init » pour charger le catalogue."
            )
        valid = result.observations.assign(line=pd.array([pd.NA] * len(result.observations), dtype="Int64"))
        problems, outside = result.problems, result.warnings  # signalements of other départements: left out, not errors
        found = [
            issues_frame(problems["line"], problems["column"], problems["value"], problems["problem"], ERROR),
            issues_frame(outside["line"], outside["column"], outside["value"], outside["problem"], WARNING),
        ]
        found = [f for f in found if not f.empty]
        issues = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=ISSUE_COLUMNS)
        file_rows, error_lines, description, notes = result.file_rows, result.error_lines, result.description, result.notes
        file_name = histologe.masked_file_name(file_name)
    else:
        is_header = formats.is_long_header if format_used == "long" else _wide_header(options)
        table = reading.read_table(data, file_name, options.sheet, is_header)
        sheet = table.sheet
        candidates = formats.long_candidates(table, options) if format_used == "long" else formats.wide_candidates(table, options)
        budget.check()
        valid, issues, error_lines = validate(candidates, ref, options)
        budget.check()
        file_rows, description, ignored = len(table.frame), table.description, candidates.ignored_columns
        if options.complete:  # what a complete table leaves out there is zero (snapshot rule)
            zeros = snapshot.absent_zeros(conn, valid, ref, options.status)
            valid = pd.concat([valid, zeros], ignore_index=True) if not zeros.empty else valid
            notes.append(snapshot.note(len(zeros)))
    if source_cut:
        cut = f"la source donnée (option « source ») est trop longue : elle est enregistrée coupée à {SOURCE_MAX} caractères"
        issues = pd.concat([issues, issues_frame([None], "", "", [cut], WARNING)], ignore_index=True)
    refused, conflicts = compare.granularity_conflicts(conn, valid) if not valid.empty else (np.zeros(0, dtype=bool), issues)
    if refused.any():
        lines = valid["line"][refused]
        error_lines += int(lines.nunique()) + int(lines.isna().sum())
        valid = valid[~refused].reset_index(drop=True)
        issues = pd.concat([issues, conflicts], ignore_index=True)
    compared = compare.compare(conn, valid) if not valid.empty else valid.assign(change=[], old_value=[], old_status=[], old_kind=[])
    budget.check()
    warnings = compare.cross_checks(conn, compared) if not compared.empty else issues_frame([], [], [], [], WARNING)
    all_issues = pd.concat([f for f in (issues, warnings) if not f.empty], ignore_index=True) if len(issues) + len(warnings) else issues
    if all_issues.empty:
        all_issues = pd.DataFrame(columns=ISSUE_COLUMNS)
    else:
        rank = (all_issues["gravite"] != ERROR).astype(int)
        all_issues = (
            all_issues.assign(_r=rank)
            .sort_values(["ligne", "_r"], kind="stable", na_position="first")
            .drop(columns="_r")
            .reset_index(drop=True)
        )
    preview = Preview(
        file_name=file_name,
        sha256=sha256,
        options=options,
        format=format_used,
        description=description,
        sheet=sheet,
        sheets=sheets,
        file_rows=file_rows,
        observations=compared.reset_index(drop=True),
        issues=all_issues,
        error_lines=error_lines,
        ignored_columns=ignored,
        notes=notes,
    )
    preview.already = store.same_import(conn, sha256, preview.fingerprint)
    written = demo.series_of(conn, compared) if not compared.empty else set()
    preview.demo_removed = demo.count_demo(conn, written) if written else {}
    preview.series = series_kinds.before_after(conn, written, preview.demo_removed)
    return preview


def demo_sentence(removed: Mapping[tuple[str, str], int], verb: str) -> str:
    """« 81 000 valeurs fictives seront retirées : signalements_deposes (38 : 81 000), … ; ces séries
    deviennent réelles », per indicator and département."""
    total = sum(removed.values())
    listed = ", ".join(f"{i} ({d} : {fr_number(n)})" for (i, d), n in sorted(removed.items()))
    return (
        f"{fr_number(total)} valeur(s) fictive(s) des mêmes indicateurs et départements {verb} ({listed}) : ces séries ne mêlent pas "
        "valeurs réelles et fictives ; l'annulation de l'import les rétablit"
    )


def _wide_header(options: ImportOptions) -> reading.HeaderTest | None:
    names = {fold(n) for n in (options.territory_column, options.indicator_column) if n}
    if not names:
        return None
    return lambda cells: names <= {fold(c) for c in cells}


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did: ``batch_id`` None when nothing was written (``message`` says why)."""

    batch_id: int | None
    message: str
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    replaced_demo: int = 0
    indicator_codes: tuple[str, ...] = ()
    removed_demo: int = 0


def apply_import(conn: Connection, preview: Preview, *, user_name: str, exclude_errors: bool = False) -> ImportOutcome:
    """Write a checked file as one import batch, inside the caller's transaction (``engine.begin()``).

    A file with errors is refused whole (UserError) unless ``exclude_errors`` is set: the rows in
    error are then left out and the others stored. The same file read the same way as an active
    import, or a file whose values are all already stored, is a no-op (``batch_id`` None). Values
    are compared again here, under the write lock (``data_access.write_lock``, taken first: a
    second writer waits, or is told to retry), so a preview made before another import stays safe
    to apply and the changes written are those from the state this import replaces.
    """
    take_write_lock(conn)
    if preview.errors and not exclude_errors:
        raise UserError(preview.refusal())
    already = store.same_import(conn, preview.sha256, preview.fingerprint)
    if already is not None:
        preview.already = already
        return ImportOutcome(None, preview.already_message())
    valid = preview.observations.drop(columns=["change", "old_value", "old_status", "old_kind"], errors="ignore")
    if valid.empty:
        return ImportOutcome(None, "Aucune valeur valide à importer : rien n'a été écrit.")
    compared = compare.compare(conn, valid)
    if not (compared["change"] != compare.CHANGE_UNCHANGED).any():
        return ImportOutcome(
            None, "Toutes les valeurs du fichier sont déjà enregistrées à l'identique : rien à importer.", unchanged=len(compared)
        )
    excluded = preview.error_lines if exclude_errors else 0
    counts = store.write_observations(
        conn,
        compared,
        file_name=preview.file_name,
        sha256=preview.sha256,
        user_name=user_name,
        source=preview.options.source,
        detail=store.detail_options(preview.format, preview.sheet, preview.fingerprint, preview.file_rows, excluded, preview.warnings),
    )
    message = (
        f"Import enregistré : lot n° {counts.batch_id} ; {fr_number(counts.new)} valeur(s) nouvelle(s), "
        f"{fr_number(counts.changed)} modifiée(s)"
        + (f" (dont {fr_number(counts.replaced_demo)} remplaçant des données de démonstration)" if counts.replaced_demo else "")
        + f", {fr_number(counts.unchanged)} inchangée(s)"
        + (f" ; {fr_number(excluded)} ligne(s) en erreur exclue(s)" if excluded else "")
        + (f" ; {demo_sentence(counts.removed_demo, 'retirées')}" if counts.removed_demo else "")
        + ". Les pages montrent dès maintenant les nouvelles valeurs."
    )
    return ImportOutcome(
        counts.batch_id,
        message,
        counts.new,
        counts.changed,
        counts.unchanged,
        counts.replaced_demo,
        tuple(sorted(compared["indicator_code"].unique())),
        sum(counts.removed_demo.values()),
    )


__all__ = ["OBSERVATION_KEY", "ImportOutcome", "Preview", "apply_import", "prepare_import"]
