"""The long and wide table formats → candidate rows (raw cells with their line and column).

Long (canonical): one value per row, columns ``indicateur``, ``territoire``, ``periode``, ``valeur``,
optional ``statut`` and ``source`` (names compared without case or accents).

Wide: one row per territory (or per indicator) and one column per period, as partners' Excel
tables usually are. The user says which column holds the territories (``territory_column``) or
gives one territory for the whole table (``territory``), and likewise for the indicator. A
« Source » column, when there is one, gives the source of every value of its row. Other columns
whose header is not a period (a name, a total) are ignored and listed in the preview.

In both formats a row without a source takes the ``--source`` option; when it has none either, a
value equal to a stored one keeps the stored source (see :func:`data_access.importers.compare.compare`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from data_access.errors import UserError
from data_access.importers.options import ImportOptions
from data_access.importers.reading import Table
from data_access.importers.text import MISSING, fold, looks_like_period, parse_period, period_header, quoted_value, secret_cells

CANDIDATE_COLUMNS = [
    "line",
    "indicator",
    "indicator_column",
    "territory",
    "territory_column",
    "period",
    "period_column",
    "value",
    "value_column",
    "status",
    "status_column",
    "source",
    "source_column",
]
LONG_COLUMNS: dict[str, tuple[str, ...]] = {
    "indicator": ("indicateur", "code indicateur", "indicator"),
    "territory": ("territoire", "code territoire", "territory"),
    "period": ("periode", "period"),
    "value": ("valeur", "value"),
    "status": ("statut", "status"),
    "source": ("source", "sources"),
}
REQUIRED_LONG = ("indicator", "territory", "period", "value")
LONG_NAMES = {"indicator": "indicateur", "territory": "territoire", "period": "periode", "value": "valeur"}
HISTOLOGE_MARKERS = ("depose le", "reference")


@dataclass
class Candidates:
    """Rows to validate: CANDIDATE_COLUMNS, every cell as text; plus header-level problems."""

    frame: pd.DataFrame
    header_issues: list[tuple[int, str, str, str]] = field(
        default_factory=list
    )  # line, column, value, problem: header cells and unread rows
    ignored_columns: list[str] = field(default_factory=list)


def is_long_header(cells: Sequence[str]) -> bool:
    folded = {fold(c) for c in cells}
    return all(any(name in folded for name in LONG_COLUMNS[key]) for key in REQUIRED_LONG)


def is_histologe_header(cells: Sequence[str]) -> bool:
    folded = {fold(c) for c in cells}
    return all(marker in folded for marker in HISTOLOGE_MARKERS)


def _column(table: Table, names: Sequence[str]) -> str | None:
    for label in table.frame.columns:
        if fold(label) in names:
            return str(label)
    return None


def long_candidates(table: Table, options: ImportOptions) -> Candidates:
    columns = {key: _column(table, names) for key, names in LONG_COLUMNS.items()}
    missing = [LONG_NAMES[k] for k in REQUIRED_LONG if columns[k] is None]
    if missing:
        found = ", ".join(f"« {quoted_value(c)} »" for c in table.frame.columns[:12])
        raise UserError(
            f"Format long : colonne(s) {', '.join(f'« {m} »' for m in missing)} introuvable(s) dans l'en-tête (ligne {table.header_line}). "
            f"Colonnes trouvées : {found}. Attendu : indicateur, territoire, periode, valeur (et, si besoin, statut, source)."
        )
    f = table.frame
    # The cells stay pandas string arrays (``.array``): a round trip through NumPy object arrays
    # makes a Python object per cell and costs about 0.2 s per 100 000 rows.
    frame = pd.DataFrame(
        {
            "line": table.lines,
            "indicator": f[columns["indicator"]].array,
            "indicator_column": columns["indicator"],
            "territory": f[columns["territory"]].array,
            "territory_column": columns["territory"],
            "period": f[columns["period"]].array,
            "period_column": columns["period"],
            "value": f[columns["value"]].array,
            "value_column": columns["value"],
            "status": f[columns["status"]].array if columns["status"] else options.status or "",
            "status_column": columns["status"] or "statut",
            "source": f[columns["source"]].array if columns["source"] else "",
            "source_column": columns["source"] or "--source",
        }
    )
    used = {c for c in columns.values() if c}
    return Candidates(frame, header_issues=_unread_rows(table), ignored_columns=[c for c in f.columns if c not in used])


def _unread_rows(table: Table) -> list[tuple[int, str, str, str]]:
    """The rows the reader left out (more fields than the header), each an error of its line."""
    return [(line, "", "", problem) for line, problem in table.too_wide]


def wide_candidates(table: Table, options: ImportOptions) -> Candidates:
    """Melt a wide table: one candidate per non-empty cell of a period column."""
    f = table.frame
    if (options.indicator is None) == (options.indicator_column is None) or (options.territory is None) == (
        options.territory_column is None
    ):
        raise UserError(
            "Format large : dites où sont l'indicateur et le territoire : un indicateur pour tout le tableau (--indicator CODE) "
            "ou la colonne qui les contient (--indicator-column NOM), et de même un territoire (--territory CODE) "
            "ou la colonne des territoires (--territory-column NOM)."
        )
    keys = {}
    for key, name in (("indicator", options.indicator_column), ("territory", options.territory_column)):
        if name is None:
            continue
        label = next((c for c in f.columns if fold(c) == fold(name)), None)
        if label is None:
            raise UserError(
                f"Format large : la colonne « {quoted_value(name)} » est introuvable dans l'en-tête (ligne {table.header_line}). "
                f"Colonnes trouvées : {', '.join(f'« {quoted_value(c)} »' for c in f.columns[:15])}."
            )
        keys[key] = label
    source = next((c for c in f.columns if fold(c) in LONG_COLUMNS["source"] and c not in keys.values()), None)
    periods: dict[str, str] = {}  # column label → its period as a cell (« Année 2024 » → « 2024 »)
    ignored, issues = [], []
    for label in f.columns:
        if label in keys.values() or label == source:
            continue
        parsed = parse_period(period_header(label))
        if not parsed.problem:
            periods[label] = period_header(label)
        elif looks_like_period(label):
            issues.append((table.header_line, label, label, f"(en-tête de colonne) {parsed.problem}"))
        else:
            ignored.append(label)
    if not periods and not issues:
        raise UserError(
            f"Format large : aucune colonne de période dans l'en-tête (ligne {table.header_line}). "
            "Attendu : une colonne par période, intitulée 2024, 2024-T1, 2024-03, 03/2024 ou mars 2024."
        )
    base = pd.DataFrame({"line": table.lines})
    for key in ("indicator", "territory"):
        base[key] = f[keys[key]].to_numpy() if key in keys else getattr(options, key)
        base[f"{key}_column"] = keys.get(key, f"--{key}")
    base["source"] = f[source].fillna("").astype(str).to_numpy() if source else ""
    base["source_column"] = source or "--source"
    melted = base.join(f[list(periods)].reset_index(drop=True)).melt(
        id_vars=list(base.columns), value_vars=list(periods), var_name="period_column", value_name="value"
    )
    # an empty cell is no value, not an error; a secret cell (« s », « < 5 », a blank of a secret-bearing source) is one
    cells = melted["value"].fillna("").astype(str)
    melted = melted[~cells.str.strip().str.lower().isin(MISSING) | secret_cells(cells, blank=options.blank_is_secret)]
    melted = melted.assign(
        period=melted["period_column"].map(periods),
        value_column=melted["period_column"],
        status=options.status or "",
        status_column="--status",
    ).sort_values("line", kind="stable")  # file order: row by row, periods left to right
    return Candidates(melted[CANDIDATE_COLUMNS].reset_index(drop=True), header_issues=issues + _unread_rows(table), ignored_columns=ignored)
