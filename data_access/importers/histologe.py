"""Histologe (Signal Logement) exports → monthly counts per commune. No personal data is kept.

One row of the export is one signalement, with personal columns (names, phones, e-mails,
addresses, free texts). Only the columns that aggregation needs are read (dates, commune, postal
code, INSEE code, closure motive, visit conclusion, situations, and « Logement social » to detect
shifted headers); every other cell is dropped while the row is read. The result holds counts
only: nothing of a single signalement leaves this module, and messages quote a cell only when it
looks like a date or a code (a shifted column could hold a name).

Three generations of headers are accepted (see ../shared/data/histologe/README.md): ``;`` until
2024 with « Clôturé le », ``,`` with every field quoted (2024–2026), ``;`` with BOM and « Fermé le »
since April 2026; CSV or XLSX. Counts, by month:

- ``signalements_deposes``: by « Déposé le »;
- ``signalements_clotures`` and its motive groups: by « Clôturé le » / « Fermé le »;
- ``signalements_insalubrite``, ``signalements_non_decence``, ``signalements_precarite_energetique``:
  by « Déposé le », classified by the rules of ``histologe.yaml`` (or the given classification).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from data_access.errors import UserError
from data_access.importers.options import ImportOptions
from data_access.importers.reading import read_rows
from data_access.importers.referential import Referential
from data_access.importers.text import MISSING, fold, parse_dates, safe_excerpt

CLASSIFICATION_FILE = Path(__file__).with_name("histologe.yaml")
DEFAULT_SOURCE = "Histologe / Signal Logement"
DEPOSITED, CLOSED = "signalements_deposes", "signalements_clotures"

# folded header label → role; several generations of labels map to one role
ROLES = {
    "depose le": "deposited",
    "cloture le": "closed",
    "ferme le": "closed",
    "code insee": "insee",
    "code postal": "postal",
    "commune": "commune",
    "motif de cloture": "motif",
    "ccl de la derniere visite": "conclusion",
    "conclusion de la derniere visite": "conclusion",
    "ccl de la visite": "conclusion",
    "conclusion de la visite": "conclusion",
    "situations": "situations",
    "logement social": "yes_no",
}
SAFE_NAME = r"[0-9A-Za-zÀ-ÿŒœ' ’()\-.]{1,60}"


@dataclass
class HistologeResult:
    """Counts as observation rows (indicator_code, territory_code, granularity, period_start, value,
    status, source), row-level problems (line, column, value, problem), rows read, rows in error."""

    observations: pd.DataFrame
    problems: pd.DataFrame
    file_rows: int
    error_lines: int
    description: str
    notes: list[str]


def is_header(cells: Sequence[str]) -> bool:
    folded = {fold(c) for c in cells}
    return "depose le" in folded and ("reference" in folded or "statut" in folded)


def load_classification(path: Path | None = None) -> dict[str, Any]:
    """The classification rules (``types`` and ``closure_motives``) from YAML; UserError when malformed."""
    path = path or CLASSIFICATION_FILE
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise UserError(f"Classification Histologe illisible ({path.name}) : {error}") from error
    if (
        not isinstance(config, dict)
        or not isinstance(config.get("types", {}), dict)
        or not isinstance(config.get("closure_motives", {}), dict)
    ):
        raise UserError(f"Classification Histologe {path.name} : rubriques « types » et « closure_motives » attendues.")
    return config


def aggregate(data: bytes, options: ImportOptions, ref: Referential, classification: Mapping[str, Any] | None = None) -> HistologeResult:
    """Read a Histologe export and count signalements per commune and month (see the module docstring)."""
    config = classification if classification is not None else load_classification()
    labels, rows, description = read_rows(data, options.sheet, is_header, lambda label: fold(label) in ROLES)
    roles = {ROLES[fold(label)]: i for i, label in reversed(list(enumerate(labels)))}
    closed_label = next((label for label in labels if ROLES[fold(label)] == "closed"), "Fermé le")
    if "deposited" not in roles:
        raise UserError("Export Histologe : la colonne « Déposé le » est absente ; cochez-la lors de l'export.")
    if "commune" not in roles and "insee" not in roles:
        raise UserError(
            "Export Histologe : ni « Code INSEE » ni « Commune » ne sont présents ; cochez au moins « Code postal » et « Commune »."
        )
    broken = [line for line, cells in rows if cells is None]
    kept = [(line, cells) for line, cells in rows if cells is not None]
    width = len(labels)
    frame = pd.DataFrame([cells for _, cells in kept], columns=range(width), dtype=object) if kept else pd.DataFrame(columns=range(width))
    lines = np.array([line for line, _ in kept], dtype=int)
    del rows, kept  # only the kept, non-personal columns remain

    def column(role: str) -> pd.Series:
        return frame[roles[role]].fillna("").astype(str) if role in roles else pd.Series([""] * len(frame), dtype=object)

    deposited, deposited_blank = parse_dates(column("deposited"))
    _check_not_shifted(deposited, deposited_blank, column("yes_no") if "yes_no" in roles else None)
    closed, closed_blank = parse_dates(column("closed"))
    problems: list[pd.DataFrame] = [
        pd.DataFrame(
            {
                "line": broken,
                "column": "",
                "value": "",
                "problem": "n'a pas autant de champs que l'en-tête (en-têtes décalés ou séparateur dans une cellule) : ligne non lue",
            }
        )
    ]
    bad_deposit = deposited.isna().to_numpy()
    problems.append(_problems(lines, bad_deposit, "Déposé le", column("deposited"), "n'est pas une date (attendu : jj/mm/aaaa)"))
    bad_closed = (closed.isna() & ~closed_blank).to_numpy()
    problems.append(_problems(lines, bad_closed, closed_label, column("closed"), "n'est pas une date (attendu : jj/mm/aaaa, ou vide)"))

    places = pd.DataFrame({"insee": column("insee"), "postal": column("postal"), "commune": column("commune")})
    distinct = places.drop_duplicates()
    resolved = {tuple(row): ref.commune(row[0], row[1], row[2]) for row in distinct.itertuples(index=False, name=None)}
    found = [resolved[tuple(row)] for row in places.itertuples(index=False, name=None)]
    codes = np.array([r.code for r in found], dtype=object)
    bad_place = codes == ""
    place_column = "Commune" if "commune" in roles else "Code INSEE"
    shown = places["commune"] if "commune" in roles else places["insee"]
    place_problems = np.array([r.problem for r in found], dtype=object)
    problems.append(
        pd.DataFrame(
            {
                "line": lines[bad_place],
                "column": place_column,
                "value": [safe_excerpt(v, SAFE_NAME) for v in shown[bad_place]],
                "problem": place_problems[bad_place],
            }
        )
    )
    unresolved = int(bad_place.sum())
    valid = ~(bad_deposit | bad_closed | bad_place)
    error_lines = int((~valid).sum()) + len(broken)

    signalements = pd.DataFrame(
        {
            "territory_code": codes[valid],
            "deposited": deposited.to_numpy()[valid].astype("datetime64[ns]").astype("datetime64[M]").astype("datetime64[ns]"),
            "closed": closed.to_numpy()[valid].astype("datetime64[ns]").astype("datetime64[M]").astype("datetime64[ns]"),
            "motif": column("motif").to_numpy()[valid],
            "conclusion": column("conclusion").to_numpy()[valid],
            "situations": column("situations").to_numpy()[valid],
        }
    )
    observations = _counts(signalements, config, options)
    notes = [f"{len(lines) + len(broken)} signalements lus ; seules les dates, la commune et les catégories ont été gardées, en mémoire."]
    if "insee" not in roles:
        notes.append("Sans colonne « Code INSEE » : communes retrouvées par leur code postal et leur nom.")
    if unresolved:
        notes.append(f"{unresolved} signalement(s) dont la commune n'a pas été retrouvée (voir les erreurs).")
    return HistologeResult(
        observations=observations,
        problems=pd.concat(problems, ignore_index=True),
        file_rows=len(lines) + len(broken),
        error_lines=error_lines,
        description=description,
        notes=notes,
    )


def _problems(lines: np.ndarray, mask: np.ndarray, column: str, values: pd.Series, problem: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"line": lines[mask], "column": column, "value": [safe_excerpt(v) for v in values.to_numpy()[mask]], "problem": problem}
    )


def _check_not_shifted(deposited: pd.Series, blank: pd.Series, yes_no: pd.Series | None) -> None:
    """Refuse a file whose header cells are shifted against the data (a known fault of 2025–2026 exports)."""
    if len(deposited) == 0:
        return
    if deposited.isna().mean() > 0.5:
        raise UserError(
            "Export Histologe : la plupart des cellules de la colonne « Déposé le » ne sont pas des dates : les en-têtes de ce fichier "
            "semblent décalés par rapport aux données (défaut connu de certains exports de 2025–2026). Exportez le fichier à nouveau."
        )
    if yes_no is not None:
        answers = yes_no.map(fold)
        odd = ~answers.isin({"oui", "non", "non renseigne", *MISSING})
        if odd.mean() > 0.5:
            raise UserError(
                "Export Histologe : la colonne « Logement social » ne contient pas Oui / Non : les en-têtes de ce fichier semblent décalés "
                "par rapport aux données (défaut connu de certains exports de 2025–2026). Exportez le fichier à nouveau."
            )


def _matches(cells: np.ndarray, rule: Mapping[str, Any], kind: str) -> np.ndarray:
    wanted = rule.get(kind) or []
    if not wanted:
        return np.zeros(len(cells), dtype=bool)
    if kind == "conclusions":
        codes = {str(w).strip().upper() for w in wanted}
        return np.array([bool(codes & {c.strip().upper() for c in str(v).split(",")}) for v in cells], dtype=bool)
    folded = {fold(w) for w in wanted}
    if kind == "motifs":
        return np.array([fold(v) in folded for v in cells], dtype=bool)
    return np.array([bool(folded & {fold(c) for c in str(v).split("|")}) for v in cells], dtype=bool)


def _counts(s: pd.DataFrame, config: Mapping[str, Any], options: ImportOptions) -> pd.DataFrame:
    frames = [s.groupby(["territory_code", "deposited"]).size().rename("value").reset_index().assign(indicator_code=DEPOSITED)]
    frames[0] = frames[0].rename(columns={"deposited": "period_start"})
    closed = s[s["closed"].notna()]
    frames.append(
        closed.groupby(["territory_code", "closed"])
        .size()
        .rename("value")
        .reset_index()
        .rename(columns={"closed": "period_start"})
        .assign(indicator_code=CLOSED)
    )
    for indicator, motifs in (config.get("closure_motives") or {}).items():
        mask = _matches(closed["motif"].to_numpy(), {"motifs": motifs}, "motifs")
        part = closed[mask].groupby(["territory_code", "closed"]).size().rename("value").reset_index()
        frames.append(part.rename(columns={"closed": "period_start"}).assign(indicator_code=indicator))
    for indicator, rule in (config.get("types") or {}).items():
        rule = rule or {}
        mask = (
            _matches(s["conclusion"].to_numpy(), rule, "conclusions")
            | _matches(s["motif"].to_numpy(), rule, "motifs")
            | _matches(s["situations"].to_numpy(), rule, "situations")
        )
        part = s[mask].groupby(["territory_code", "deposited"]).size().rename("value").reset_index()
        frames.append(part.rename(columns={"deposited": "period_start"}).assign(indicator_code=indicator))
    counts = pd.concat(frames, ignore_index=True)
    counts["value"] = counts["value"].astype(float)
    counts["granularity"] = "month"
    if options.status:
        counts["status"] = options.status
    else:
        # the month of the latest date in the file is still running: its counts are provisional
        last = max([d for d in (s["deposited"].max(), closed["closed"].max()) if pd.notna(d)], default=pd.NaT)
        counts["status"] = np.where(counts["period_start"] >= last, "provisoire", "définitif") if pd.notna(last) else "définitif"
    counts["source"] = options.source or DEFAULT_SOURCE
    return counts[["indicator_code", "territory_code", "granularity", "period_start", "value", "status", "source"]]


def masked_file_name(file_name: str) -> str:
    """Export file names carry the exporting agent's user name: it is not recorded.

    >>> masked_file_name("export-histologe-jdupont-20260501-101500-1a2b.csv")
    'export-histologe-(utilisateur masqué)-20260501-101500-1a2b.csv'
    """
    return re.sub(r"^(export-histologe-)(.+?)(-\d{8}-\d{6})", r"\1(utilisateur masqué)\3", file_name)
