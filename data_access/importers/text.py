"""Cell parsing shared by every format: names, codes, numbers, periods and dates as partners write them.

Parsers work on the *distinct* values of a column and are mapped back onto the rows, so that a
100 000-row file with a few hundred distinct periods or territories costs a few hundred parses.
Every parser returns either a value or a French explanation of what was expected; none raises.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

MISSING = frozenset({"", "-", "nd", "n.d.", "n/d", "nc", "n.c.", "na", "n/a", "nan", "none", "null", "s", "#n/a"})

MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1,
    "fevrier": 2, "fevr": 2, "fev": 2,
    "mars": 3, "mar": 3,
    "avril": 4, "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7, "juil": 7,
    "aout": 8,
    "septembre": 9, "sept": 9, "sep": 9,
    "octobre": 10, "oct": 10,
    "novembre": 11, "nov": 11,
    "decembre": 12, "dec": 12,
}  # fmt: skip
PERIOD_FORMATS = "2024, 2024-T1, 2024-03, 03/2024, mars 2024 ou une date"
FIRST_YEAR, LAST_YEAR = 1990, 2100


def fold(text: str) -> str:
    """A comparison key for names: lower case, no accents, punctuation as spaces, « st » → « saint ».

    >>> fold("Saint-Martin-d'Hères") == fold("ST MARTIN D HERES")
    True
    """
    text = unicodedata.normalize("NFKD", str(text).lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = re.sub(r"[^0-9a-z]+", " ", text.replace("œ", "oe").replace("æ", "ae")).split()
    return " ".join({"st": "saint", "ste": "sainte"}.get(w, w) for w in words)


def clean_cell(value: object) -> str:
    """A cell as text: integral floats lose their « .0 » (Excel turns codes into numbers), dates are ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def clean_code(raw: str) -> str:
    """A territory code as the referential writes it.

    Digits lose inner spaces and a trailing « .0 »; a 4-digit commune code or a 1-digit département
    code that lost its leading zero in Excel gets it back (``1053`` → ``01053``); letters are upper case
    (``2a004`` → ``2A004``, ``fr`` → ``FR``).
    """
    code = str(raw).strip()
    if re.fullmatch(r"[0-9][0-9 \u00a0\u202f]*(\.0+)?", code):
        code = re.sub(r"[\s\u00a0\u202f]", "", code).split(".")[0]
        if len(code) in (1, 4, 8):  # département, commune, SIREN without their leading zero
            code = code.zfill(len(code) + 1)
        return code
    if re.fullmatch(r"(?i)2[ab][0-9]{3}|fr", code):
        return code.upper()
    return code


# --- numbers -----------------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class Numbers:
    """Parsed values aligned with the input: ``value`` (NaN where ``problem`` is set), ``percent``
    (the cell ended with %), ``problem`` (French text or empty), ``missing`` (empty-like cell)."""

    value: np.ndarray
    percent: np.ndarray
    problem: np.ndarray
    missing: np.ndarray


# Secret statistique: what partners write in place of a value they do not publish (small counts).
SECRET_WORDS = frozenset({"s", "secret", "secret statistique", "secret stat", "secret stat."})
_SECRET_BELOW = re.compile(r"(?:<|≤|<=)\s*\d+")  # « < 5 », « <5 », « ≤ 4 », « <= 10 »


def secret_cells(cells: pd.Series, *, blank: bool = False) -> np.ndarray:
    """Which cells mark a secret value: ``s``, ``secret``, ``secret statistique``, ``< 5`` (any
    threshold, with or without spaces, ``≤`` or ``<=`` too), in any case; and, when ``blank``
    (a source that leaves its small values blank), the empty cells."""
    codes, uniques = pd.factorize(cells.fillna("").astype(str), sort=False)
    if len(uniques) == 0:
        return np.zeros(len(cells), dtype=bool)
    marked = np.array([_is_secret(u, blank) for u in uniques], dtype=bool)
    return marked[codes] if (codes >= 0).all() else np.where(codes >= 0, marked[np.maximum(codes, 0)], blank)


def _is_secret(raw: str, blank: bool) -> bool:
    text = " ".join(str(raw).split()).lower()
    if not text:
        return blank
    return text in SECRET_WORDS or bool(_SECRET_BELOW.fullmatch(text))


def parse_numbers(cells: pd.Series) -> Numbers:
    """French-formatted numbers: ``1 529`` (spaces or no-break spaces), ``12,5``, ``12,5 %``, ``1.529,5``, ``1 250 €``."""
    codes, uniques = pd.factorize(cells.fillna("").astype(str), sort=False)
    parsed = [_parse_number(u) for u in uniques]
    value = np.array([p[0] for p in parsed], dtype=float)
    percent = np.array([p[1] for p in parsed], dtype=bool)
    problem = np.array([p[2] for p in parsed], dtype=object)
    missing = np.array([p[3] for p in parsed], dtype=bool)
    if len(uniques) == 0:
        empty = np.array([], dtype=float)
        return Numbers(empty, empty.astype(bool), empty.astype(object), empty.astype(bool))
    return Numbers(value[codes], percent[codes], problem[codes], missing[codes])


def _parse_number(raw: str) -> tuple[float, bool, str, bool]:
    text = raw.strip()
    if text.lower() in MISSING:
        return np.nan, False, "est vide (attendu : un nombre, 0 s'il n'y a aucun cas)", True
    text = _SPACES.sub("", text).replace("\u2212", "-").replace("€", "")
    percent = text.endswith("%")
    text = text.rstrip("%")
    if "," in text and "." in text:  # the last separator is the decimal one: 1.529,5 or 1,529.5
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    text = text.replace(",", ".")
    if not _NUMBER.fullmatch(text):
        return np.nan, False, "n'est pas un nombre (attendu par exemple : 12, 1 529 ou 12,5)", False
    number = float(text)
    if not np.isfinite(number):
        return np.nan, False, "n'est pas un nombre fini", False
    return number, percent, "", False


# --- periods -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodValue:
    """A parsed period: its granularity and first day, or a French ``problem``."""

    granularity: str = ""
    start: dt.date | None = None
    problem: str = ""


def parse_period(raw: str) -> PeriodValue:
    """One period as partners write it.

    ``2024`` (year), ``2024-T1``, ``2024-Q1``, ``T1 2024``, ``2024T1`` (quarter), ``2024-03``, ``2024/03``,
    ``03/2024``, ``mars 2024``, ``mars-24``, ``janv. 2024`` (month), or a date (``2024-03-15``,
    ``15/03/2024``, ``2024-03-15 00:00:00``), which stands for its month.
    """
    text = str(raw).strip()
    if not text or text.lower() in MISSING:
        return PeriodValue(problem=f"est vide (attendu : {PERIOD_FORMATS})")
    key = fold(text)
    if m := re.fullmatch(r"(\d{4})", key):
        return _year(int(m[1]), text)
    if m := re.fullmatch(r"(\d{4}) ?[tq] ?(\d{1,2})|[tq] ?(\d{1,2}) (\d{4})", key):
        year, quarter = (int(m[1]), int(m[2])) if m[1] else (int(m[4]), int(m[3]))
        if not 1 <= quarter <= 4:
            return PeriodValue(problem=f"n'est pas un trimestre valide (attendu : {year}-T1, {year}-T2, {year}-T3 ou {year}-T4)")
        return _checked("quarter", year, 3 * quarter - 2)
    if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})", text) or re.fullmatch(r"(\d{4}) (\d{1,2})", key):
        return _month(int(m[1]), int(m[2]))
    if m := re.fullmatch(r"(\d{1,2})[-/.](\d{4})", text) or re.fullmatch(r"(\d{1,2}) (\d{4})", key):
        return _month(int(m[2]), int(m[1]))
    if m := re.fullmatch(r"([a-z]+) (\d{4}|\d{2})", key):
        month = MONTHS.get(m[1])
        if month is None:
            return PeriodValue(
                problem=f"n'est pas un mois reconnu (attendu : janvier … décembre, par exemple « mars 2024 » ; ou {PERIOD_FORMATS})"
            )
        year = int(m[2]) + (2000 if len(m[2]) == 2 else 0)
        return _checked("month", year, month)
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?", text):
        return _day(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?", text):
        return _day(int(m[3]), int(m[2]), int(m[1]))
    return PeriodValue(problem=f"n'est pas une période reconnue (attendu : {PERIOD_FORMATS})")


def _year(year: int, text: str) -> PeriodValue:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return PeriodValue(problem=f"n'est pas une année plausible (attendu : une année entre {FIRST_YEAR} et {LAST_YEAR})")
    return PeriodValue("year", dt.date(year, 1, 1))


def _month(year: int, month: int) -> PeriodValue:
    if not 1 <= month <= 12:
        return PeriodValue(problem="n'est pas un mois valide (attendu : 2024-03, 03/2024, 2024-T1 ou 2024)")
    return _checked("month", year, month)


def _day(year: int, month: int, day: int) -> PeriodValue:
    try:
        dt.date(year, month, day)
    except ValueError:
        return PeriodValue(problem="n'est pas une date valide (attendu par exemple : 15/03/2024 ou 2024-03-15)")
    return _checked("month", year, month)


def _checked(granularity: str, year: int, month: int) -> PeriodValue:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return PeriodValue(problem=f"n'est pas dans une année plausible (attendu : entre {FIRST_YEAR} et {LAST_YEAR})")
    return PeriodValue(granularity, dt.date(year, month, 1))


def parse_periods(cells: pd.Series) -> tuple[pd.api.extensions.ExtensionArray, np.ndarray, np.ndarray]:
    """Vectorised :func:`parse_period`: (granularity as a string array, start as datetime64[ns] or NaT,
    problem as an object array) per cell; granularity "" and start NaT where the problem is set."""
    codes, uniques = pd.factorize(cells.fillna("").astype(str), sort=False)
    parsed = [parse_period(u) for u in uniques]
    granularity = pd.array([p.granularity for p in parsed] or [""], dtype="str")
    start = pd.to_datetime(pd.Series([p.start for p in parsed] or [None], dtype=object)).to_numpy(dtype="datetime64[ns]")
    problem = np.array([p.problem for p in parsed] or [""], dtype=object)
    return granularity.take(codes), start[codes], problem[codes]


_PERIOD_NOTE = re.compile(r"\s*\([^()]*\)\s*$")  # « 2024 (provisoire) », « 2024 (p) »
_PERIOD_WORD = re.compile(r"(?i)(?:ann[ée]e|an|exercice)\s+(.+)")  # « Année 2024 », « An 2024 »


def period_header(header: str) -> str:
    """A wide table's column header as a period cell: a leading « Année », « An » or « Exercice »
    and a trailing note in brackets are left out; other headers are returned stripped.

    >>> [period_header(h) for h in ("Année 2024", "an 2024-T1", "2024 (provisoire)", "Total")]
    ['2024', '2024-T1', '2024', 'Total']
    """
    text = _PERIOD_NOTE.sub("", str(header).strip()) or str(header).strip()
    word = _PERIOD_WORD.fullmatch(text)
    return word[1].strip() if word else text


def looks_like_period(header: str) -> bool:
    """Whether a column header is meant as a period (it contains a plausible year), even a malformed one."""
    return bool(re.search(r"(?<!\d)(19[9]\d|20\d\d)(?!\d)", str(header))) and len(str(header)) <= 30


# --- dates (Histologe) -------------------------------------------------------------------------


def parse_dates(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Day dates as ``dd/mm/YYYY`` (Histologe CSV) or ISO (XLSX date cells): (datetime64 or NaT, blank)."""
    text = cells.fillna("").astype(str).str.strip()
    blank = text.str.lower().isin(MISSING)
    day_first = pd.to_datetime(text.str.slice(0, 10), format="%d/%m/%Y", errors="coerce")
    iso = pd.to_datetime(text.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    dates = day_first.fillna(iso)
    return dates.where((dates.dt.year >= FIRST_YEAR) & (dates.dt.year <= LAST_YEAR)), blank


QUOTED_LENGTH = 80
_MARKUP = re.compile(r"([\\`*_\[\]#$~<>|])")  # what Markdown (and Streamlit's $ formulas) would read as markup
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def quoted_value(value: object, length: int = QUOTED_LENGTH) -> str:
    r"""A cell, sheet name or label as it may be quoted in a message shown on a page or printed.

    On one line (control characters and line breaks become a space), at most ``length``
    characters (then cut, ending with « … »), and Markdown characters escaped with a backslash so
    that a page renders them as they are written, never as markup or a link.

    >>> print(quoted_value("**gras** [lien](x)\nligne 2"))
    \*\*gras\*\* \[lien\](x) ligne 2
    >>> len(quoted_value("x" * 10_000)), quoted_value("x" * 10_000)[-1]
    (80, '…')
    """
    text = _CONTROLS.sub(" ", str(value)).strip()
    if len(text) > length:
        text = text[: length - 1].rstrip() + "…"
    return _MARKUP.sub(r"\\\1", text)


def safe_excerpt(value: str, pattern: str = r"[0-9/.: -]{1,25}") -> str:
    """``value`` when it matches ``pattern`` (a date, a code), else a placeholder: a shifted column of a
    Histologe export may hold a name or an address, which must never reach a message."""
    return value if re.fullmatch(pattern, value) else "valeur non reproduite"
