"""Row checks of candidate values, vectorised: every row is checked, every problem is reported.

Errors (the row cannot be stored): unknown indicator or territory, a ratio indicator, a period that
does not parse, starts after the current month, or whose granularity the indicator does not accept,
a value that is not a finite number, is empty, negative or above the plausible maximum of its unit
(``maximums_par_unite`` of the catalogue), an unknown status, a key (indicator, territory, period)
twice in the file.
Warnings (stored if the user goes on): a percentage or a non-integer for a count indicator; a
source longer than its column (cut there); one warning counting the secret cells
(``text.secret_cells``: « s », « < 5 »…), stored as secret with the value 0, left out of the sums.
Cross-checks against the database are in :mod:`data_access.importers.compare`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd

from data_access.catalogue import DEFAULT_UNIT, unit_maxima
from data_access.french import fr_number
from data_access.importers.formats import Candidates
from data_access.importers.options import ImportOptions
from data_access.importers.referential import Referential
from data_access.importers.text import fold, parse_numbers, parse_periods, secret_cells
from data_access.models import Observation

ISSUE_COLUMNS = ["ligne", "colonne", "valeur", "gravite", "probleme", "message"]
ERROR, WARNING = "erreur", "avertissement"
OBSERVATION_KEY = ["indicator_code", "granularity", "period_start", "territory_code"]
VALID_COLUMNS = ["line", *OBSERVATION_KEY, "value", "status", "source", "secret"]
STATUS_WORDS = {
    "provisoire": "provisoire",
    "p": "provisoire",
    "prov": "provisoire",
    "definitif": "définitif",
    "definitive": "définitif",
    "d": "définitif",
}
UNCOUNTED_UNITS = ("€", "%")
SOURCE_MAX = int(Observation.__table__.c.source.type.length)  # type: ignore[attr-defined]  # a longer source is cut to fit its column
QUOTED_MAX = 80  # a cell quoted in a message: longer ones are cut (a 1 MB cell is not echoed)
Problems = np.ndarray | str | Callable[[np.ndarray], list[str]]  # amounts and rates may be decimal; everything else counts cases


def issues_frame(line: object, column: object, value: object, problem: object, severity: str) -> pd.DataFrame:
    """Issues with their French sentence: ``ligne 14, colonne « periode » : « 2024-13 » n'est pas un mois valide (…)``.

    ``line`` may be missing (a count aggregated from many rows, a file-level problem), ``column`` and
    ``value`` may be empty strings. Values and column names longer than QUOTED_MAX characters are
    cut there (ending with « … »).
    """
    frame = pd.DataFrame({"ligne": line, "colonne": column, "valeur": value, "probleme": problem})
    if frame.empty:
        return pd.DataFrame(columns=ISSUE_COLUMNS)
    frame["ligne"] = frame["ligne"].astype("Int64")
    frame[["colonne", "valeur", "probleme"]] = frame[["colonne", "valeur", "probleme"]].fillna("").astype(str)
    for quoted_column in ("colonne", "valeur"):
        cells = frame[quoted_column]
        frame[quoted_column] = cells.where(cells.str.len() <= QUOTED_MAX, cells.str.slice(0, QUOTED_MAX - 1) + "…")
    where = np.where(
        frame["ligne"].notna(),
        "ligne " + frame["ligne"].astype(str) + np.where(frame["colonne"] != "", ", colonne « " + frame["colonne"] + " »", "") + " : ",
        np.where(frame["colonne"] != "", "colonne « " + frame["colonne"] + " » : ", ""),
    )
    quoted = np.where(frame["valeur"] != "", "« " + frame["valeur"] + " » ", "")
    frame["message"] = where + quoted + frame["probleme"]
    frame["gravite"] = severity
    return frame[ISSUE_COLUMNS]


def _by_unique(cells: pd.Series, lookup) -> tuple[pd.api.extensions.ExtensionArray, np.ndarray]:  # type: ignore[no-untyped-def]
    """``lookup`` of each distinct cell, mapped back onto the rows: (codes as a string array, "" where
    not found; problems, "" where found). Taking from the distinct codes keeps the codes a pandas
    string array without converting one Python string per row."""
    positions, uniques = pd.factorize(cells.fillna("").astype(str), sort=False)
    found = [lookup(u) for u in uniques]
    codes = pd.array([f.code for f in found], dtype="str").take(positions)
    return codes, np.array([f.problem for f in found], dtype=object)[positions]


def validate(candidates: Candidates, ref: Referential, options: ImportOptions) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Check every candidate row.

    Returns the valid rows (VALID_COLUMNS; ``period_start`` as datetime64), the issues
    (ISSUE_COLUMNS, errors and warnings) and the number of file lines with at least one error.
    """
    c = candidates.frame.reset_index(drop=True)
    issues = []
    if candidates.header_issues:
        lines, columns, values, problems = zip(*candidates.header_issues, strict=True)
        issues.append(issues_frame(list(lines), list(columns), list(values), list(problems), ERROR))
    if c.empty:
        return pd.DataFrame(columns=VALID_COLUMNS), _concat(issues), len(candidates.header_issues)
    bad = np.zeros(len(c), dtype=bool)

    def report(mask: np.ndarray, column: str, problems: Problems, severity: str = ERROR, values: pd.Series | None = None) -> None:
        """Add the issues of the rows in ``mask``; ``problems`` is one text, one per row, or made from the masked units."""
        nonlocal bad
        if not mask.any():
            return
        shown = (values if values is not None else c[f"{column}"]).to_numpy()[mask]
        if callable(problems):
            problem: object = problems(units[mask])
        else:
            problem = problems[mask] if isinstance(problems, np.ndarray) else problems
        issues.append(issues_frame(c["line"].to_numpy()[mask], c[f"{column}_column"].to_numpy()[mask], shown, problem, severity))
        if severity == ERROR:
            bad |= mask

    indicator, problem = _by_unique(c["indicator"], ref.indicator)
    units = pd.Series(indicator).map(ref.indicators["unit"]).fillna("").to_numpy()
    report(problem != "", "indicator", problem)
    territory, problem = _by_unique(c["territory"], ref.territory)
    report(problem != "", "territory", problem)
    granularity, start, period_problem = parse_periods(c["period"])
    report(period_problem != "", "period", period_problem)

    secret = secret_cells(c["value"], blank=options.blank_is_secret)
    numbers = parse_numbers(c["value"].astype(object).where(~secret, "0"))  # a secret cell is stored as 0, flagged secret
    report(numbers.problem != "", "value", numbers.problem)
    report(
        numbers.value < 0,
        "value",
        lambda masked: ["est négatif : " + _count_phrase(u) + " ne peut pas être négatif" for u in masked],
    )
    maxima = unit_maxima()
    maximum = pd.Series(units).map(maxima).fillna(maxima[DEFAULT_UNIT]).to_numpy(dtype=float)
    report(
        np.nan_to_num(numbers.value) > maximum,
        "value",
        lambda masked: [
            f"dépasse le maximum plausible pour {_count_phrase(u)} ({fr_number(maxima.get(u, maxima[DEFAULT_UNIT]))}"
            f"{' €' if u == '€' else ''}) : vérifiez l'unité et le séparateur décimal"
            for u in masked
        ],
    )
    counted = ~np.isin(units, UNCOUNTED_UNITS) & (units != "")
    report(
        numbers.percent & counted,
        "value",
        lambda masked: [
            f"est un pourcentage alors que l'indicateur compte des {u} : la valeur est enregistrée sans le signe %" for u in masked
        ],
        WARNING,
    )
    fractional = ~numbers.percent & counted & np.isfinite(numbers.value) & (np.mod(np.nan_to_num(numbers.value), 1) != 0)
    report(
        fractional,
        "value",
        lambda masked: [f"n'est pas un nombre entier alors que l'indicateur compte des {u}" for u in masked],
        WARNING,
    )

    status, problem = _by_unique(c["status"], lambda raw: _status(raw, options))
    report(problem != "", "status", problem)
    source = c["source"].fillna("").astype(str).str.strip()
    source = source.where(source != "", options.source or "")
    report(
        (source.str.len() > SOURCE_MAX).to_numpy(),
        "source",
        f"est trop long : la source est enregistrée coupée à {SOURCE_MAX} caractères",
        WARNING,
        values=source,
    )
    source = source.str.slice(0, SOURCE_MAX)

    today = np.datetime64(dt.date.today(), "ns")
    report(
        (start > today) & (period_problem == ""),
        "period",
        "commence après le mois en cours : une valeur ne peut pas porter sur une période à venir (vérifiez l'année)",
    )

    known = (indicator != "") & (granularity != "")
    pair = pd.Series(indicator) + "|" + pd.Series(granularity)
    allowed = {key: ref.granularity_problem(*key.split("|")) for key in pair[known].unique()}
    mapped = pair.map(allowed).astype(object)
    problem = mapped.where(mapped.notna(), "").to_numpy(dtype=object)
    report(problem != "", "period", problem)

    valid = pd.DataFrame(
        {
            "line": c["line"].to_numpy(),
            "indicator_code": indicator,
            "granularity": granularity,
            "period_start": start,
            "territory_code": territory,
            "value": numbers.value,
            "status": status,
            "source": source.where(source != "").array,  # missing (NaN) where the row names none
            "secret": secret,
        }
    )
    if secret.any():
        n = int(secret.sum())
        issues.append(
            issues_frame(
                [None],
                "",
                "",
                [
                    f"{n} cellule(s) couverte(s) par le secret statistique (« s », « secret », « < 5 »"
                    + (", ou vide" if options.blank_is_secret else "")
                    + ") : enregistrée(s) comme secrètes, ni zéro ni absentes ; les totaux qui les contiennent sont des minimums"
                ],
                WARNING,
            )
        )
    keyed = (valid["indicator_code"] != "") & (valid["territory_code"] != "") & (valid["granularity"] != "")
    duplicates = valid[keyed].duplicated(OBSERVATION_KEY, keep=False)
    if duplicates.any():
        dup = valid[keyed][duplicates.to_numpy()].sort_values([*OBSERVATION_KEY, "line"])
        same_key = dup.groupby(OBSERVATION_KEY)["line"]
        first, second = same_key.transform("min"), same_key.transform(lambda s: s.iloc[1])
        other = np.where(dup["line"] == first, second, first)
        repeated = [
            f"même indicateur, territoire et période qu'à la ligne {o} : une seule valeur par indicateur, territoire et période"
            for o in other
        ]
        issues.append(issues_frame(dup["line"].to_numpy(), "", "", repeated, ERROR))
        bad[dup.index.to_numpy()] = True
    error_lines = int(pd.Series(c["line"].to_numpy()[bad]).nunique()) + len(candidates.header_issues)
    return valid[~bad][VALID_COLUMNS].reset_index(drop=True), _concat(issues), error_lines


def _status(raw: str, options: ImportOptions):  # type: ignore[no-untyped-def]
    from data_access.importers.referential import Resolved

    text = str(raw).strip()
    if not text:
        return Resolved(code=options.status or "définitif")
    word = STATUS_WORDS.get(fold(text))
    if word is None:
        return Resolved(problem="n'est pas un statut reconnu (attendu : provisoire ou définitif)")
    return Resolved(code=word)


def _count_phrase(unit: str) -> str:
    if unit == "€":
        return "un montant"
    if not unit:
        return "une valeur"
    return f"un nombre d'{unit}" if fold(unit)[:1] in tuple("aeiouyh") else f"un nombre de {unit}"


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=ISSUE_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    rank = (out["gravite"] != ERROR).astype(int)  # errors first on a line
    return (
        out.assign(_rank=rank)
        .sort_values(["ligne", "_rank"], kind="stable", na_position="first")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )
