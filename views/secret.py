"""Secret statistique and rounded sources, as the views word them (issue 16).

A secret cell (a value the partner did not publish: « s », « < 5 »…) is stored with the value 0
and a flag (``observation.secret``): it is in no sum. :func:`data_access.queries.level_values`
counts, for each territory, the secret cells behind its value (``n_secret``) and all its cells
(``n_cells``). Here:

- a value wholly secret is shown as « s », not as 0 (its cell is empty and its remark is « s »);
- a sum over at least one secret cell is a lower bound: « ≥ 1 234 », and a note says how many
  values it leaves out;
- a source declared as rounding its figures (``indicator.rounding``: CAF, to 5) says so in the
  source line of every figure and table of its indicators (:func:`rounding_note`).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
import pandas as pd

from data_access.french import MISSING, fr_number

SECRET_MARK = "s"
SECRET_NOTE = "s : secret statistique (valeur non diffusée par la source, petit effectif) ; elle n'est comptée dans aucun total."
REMARK_SECRET = "s : secret statistique"
LOWER_BOUND = "≥"  # a sum that leaves secret cells out
UPPER_BOUND = "≤"  # a ratio whose denominator does
APPROXIMATE = "≈"  # a ratio whose numerator and denominator both do


def wholly_secret(values: pd.DataFrame) -> pd.Series:
    """Territories of ``values`` (``level_values``) whose every stored cell is secret."""
    if "n_secret" not in values:
        return pd.Series(False, index=values.index)
    return (values["n_secret"] > 0) & (values["n_secret"] >= values["n_cells"])


def partly_secret(values: pd.DataFrame) -> pd.Series:
    """Territories whose value is computed over at least one secret cell and is not wholly secret:
    a bound (:func:`bound_sign`)."""
    if "n_secret" not in values:
        return pd.Series(False, index=values.index)
    denominators = values.get("n_secret_denominator", 0)
    return ((values["n_secret"] > 0) | (denominators > 0)) & ~wholly_secret(values)


def bound_sign(n_secret: int, n_denominator: int = 0) -> str:
    """How a value over secret cells reads: « ≥ » (a sum, or a ratio's numerator, leaves some out:
    a minimum), « ≤ » (only a ratio's denominator does: a maximum), « ≈ » (both: neither), « » (none)."""
    if n_secret and n_denominator:
        return APPROXIMATE
    return LOWER_BOUND if n_secret else UPPER_BOUND if n_denominator else ""


def bounded(value: float | None, n_secret: int, decimals: int = 0, n_denominator: int = 0) -> str:
    """A value as printed: « 1 234 », « ≥ 1 234 » when it leaves out secret cells (« ≤ », « ≈ »:
    :func:`bound_sign`), « s » when it is only secret."""
    if value is None or pd.isna(value):
        return SECRET_MARK if n_secret else MISSING
    text = fr_number(float(value), decimals)
    sign = bound_sign(n_secret, n_denominator)
    return f"{sign} {text}" if sign else text


def lower_bound_note(n_secret: int, what: str = "ce total") -> str:
    """« Total minimal (« ≥ ») : 3 valeurs couvertes par le secret statistique ne sont pas comptées dans ce total. »"""
    return f"Total minimal (« {LOWER_BOUND} ») : {_left_out(n_secret, '')} dans {what}."


def denominator_note(n_denominator: int, what: str = "ce taux") -> str:
    """« Taux maximal (« ≤ ») : 2 valeurs du dénominateur couvertes par le secret statistique ne sont
    pas comptées dans ce taux : il peut être surestimé. » A secret denominator is not a minimum."""
    return f"Taux maximal (« {UPPER_BOUND} ») : {_left_out(n_denominator, ' du dénominateur')} dans {what} : il peut être surestimé."


def _left_out(n: int, of: str) -> str:
    if n == 1:
        return f"1 valeur{of} couverte par le secret statistique n'est pas comptée"
    return f"{fr_number(n)} valeurs{of} couvertes par le secret statistique ne sont pas comptées"


def bounds_note(n_secret: int, n_denominator: int, what: str) -> str | None:
    """The note for values over secret cells: :func:`lower_bound_note` for the numerators (or plain
    sums), :func:`denominator_note` for the denominators, and what « ≈ » means when both are; None
    without any."""
    parts = [lower_bound_note(n_secret, what)] if n_secret else []
    if n_denominator:
        parts.append(denominator_note(n_denominator, what))
    if n_secret and n_denominator:
        parts.append(f"« {APPROXIMATE} » : secret au numérateur et au dénominateur, ni minimum ni maximum.")
    return " ".join(parts) or None


def hide_secret(values: pd.DataFrame, columns: Sequence[str] = ("value", "rate", "per_inhabitants", "events")) -> pd.DataFrame:
    """``values`` with the measures of its wholly secret territories emptied: their 0 is no value
    (drawn and listed as « s », never ranked as the lowest)."""
    whole = wholly_secret(values)
    if not whole.any():
        return values
    hidden = values.copy()
    for column in columns:
        if column in hidden:
            hidden[column] = hidden[column].where(~whole)
    return hidden


def mark_level_table(table: pd.DataFrame, values: pd.DataFrame, remark_header: str) -> pd.DataFrame:
    """``table`` (``views.common.level_table`` of ``values``, same index) with its remarks saying
    the secret (:func:`cell_remark`): « s : secret statistique » for a territory wholly secret (its
    measures emptied by :func:`hide_secret`), « total minimal (n valeurs sous secret) » for one
    whose sum leaves secret cells out, « taux maximal (…) » for a rate whose denominator does."""
    whole, part = wholly_secret(values), partly_secret(values)
    if not (whole.any() or part.any()):
        return table
    marked = table.copy()
    denominators = values.get("n_secret_denominator", pd.Series(0, index=values.index))
    remarks = [cell_remark(int(n), int(k), int(d)) for n, k, d in zip(values["n_secret"], values["n_cells"], denominators, strict=True)]
    kept = marked[remark_header].astype(object).to_numpy()
    marked[remark_header] = np.where((whole | part).to_numpy(), remarks, kept)
    return marked


def secret_note(values: pd.DataFrame, departement_secret: int = 0, departement_denominator: int = 0) -> str | None:
    """The note under a table or chart of ``values``: what « s » means, and that the totals are
    lower bounds (the département's included; a rate's secret denominator worded apart:
    :func:`bounds_note`); None without any secret cell."""
    whole, part = wholly_secret(values), partly_secret(values)
    if not (whole.any() or part.any() or departement_secret or departement_denominator):
        return None
    parts = [SECRET_NOTE] if whole.any() else []
    n = int(values["n_secret"].sum()) if "n_secret" in values else 0
    d = int(values["n_secret_denominator"].sum()) if "n_secret_denominator" in values else 0
    if part.any() or departement_secret or departement_denominator:
        what = "le total du département" + (" ni dans les valeurs marquées dans la colonne « Remarque »" if part.any() else "")
        parts.append(bounds_note(max(n, departement_secret), max(d, departement_denominator), what) or "")
    return " ".join(p for p in parts if p)


def series_note(secrets: pd.DataFrame, names: dict[str, str]) -> str | None:
    """The note of a chart of sums over time (``queries.secret_counts`` of its territories over its
    period): « Total minimal (« ≥ ») : 3 valeurs couvertes par le secret statistique ne sont pas
    comptées dans les valeurs de Isère. » (and :func:`denominator_note` for a ratio's denominator);
    None without any secret cell."""
    if secrets.empty:
        return None
    where = ", ".join(names.get(str(code), str(code)) for code in secrets["territory_code"])
    return bounds_note(int(secrets["n_secret"].max()), int(secrets["n_secret_denominator"].max()), f"les valeurs de {where}")


def page_notice(secrets: pd.DataFrame, territory_name: str) -> str | None:
    """The warning of a page whose figures are sums for one territory (Procédure d'expulsion, FSL,
    Mal-logement; ``queries.secret_counts`` of its indicators over its period): « Total minimal (« ≥ ») :
    3 valeurs couvertes par le secret statistique ne sont pas comptées dans les chiffres de Isère sur
    cette page. » (and :func:`denominator_note` for its rates); None without any secret cell."""
    if secrets.empty:
        return None
    what = f"les chiffres de {territory_name} sur cette page"
    return bounds_note(int(secrets["n_secret"].sum()), int(secrets["n_secret_denominator"].sum()), what)


def cell_remark(n_secret: int, n_cells: int, n_denominator: int) -> str:
    """The remark of one value of a table over secret cells: « s : secret statistique » (wholly
    secret), « total minimal (2 valeurs sous secret) », « taux maximal (1 valeur du dénominateur
    sous secret) », « ni minimum ni maximum (secret au numérateur et au dénominateur) », or « »."""
    if n_secret and n_secret >= n_cells:
        return REMARK_SECRET
    if n_secret and n_denominator:
        return "ni minimum ni maximum (secret au numérateur et au dénominateur)"
    if n_secret:
        return f"total minimal ({fr_number(n_secret)} valeur{'s' if n_secret > 1 else ''} sous secret)"
    if n_denominator:
        return f"taux maximal ({fr_number(n_denominator)} valeur{'s' if n_denominator > 1 else ''} du dénominateur sous secret)"
    return ""


def mark_series_table(
    table: pd.DataFrame, series: pd.DataFrame, cells: pd.DataFrame, remark_header: str, value_header: str = "Valeur"
) -> pd.DataFrame:
    """``table`` (``views.common.series_table`` of ``series``, row for row) with a remark column saying, value by value, what the secret statistique does to it (:func:`cell_remark`;
    ``cells``: ``queries.secret_cells`` of the same indicators, territories, period and bucket),
    its wholly secret values emptied (« s », not 0); ``table`` itself without any secret cell."""
    if cells.empty or series.empty:
        return table
    keyed = cells.set_index(["indicator_code", "territory_code", "period_start"])
    keys = pd.MultiIndex.from_arrays([series["indicator_code"], series["territory_code"], series["period_start"]])
    found = keyed.reindex(keys).fillna(0).astype(int)
    remarks = [cell_remark(*row) for row in found[["n_secret", "n_cells", "n_secret_denominator"]].itertuples(index=False)]
    marked = table.copy()
    whole = pd.Series([r == REMARK_SECRET for r in remarks], index=marked.index)
    marked[value_header] = marked[value_header].where(~whole)
    marked[remark_header] = remarks
    return marked


def rounding_note(rounding: object) -> str | None:
    """« chiffres arrondis à 5 par la source » for an indicator whose source rounds (``indicator.rounding``):
    a sum of rounded communes need not give the published total."""
    if isinstance(rounding, bool) or not isinstance(rounding, numbers.Real):
        return None
    multiple = float(rounding)
    if multiple != multiple or not multiple:  # NaN: no rounding declared
        return None
    return f"chiffres arrondis à {fr_number(multiple)} par la source"
