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
LOWER_BOUND = "≥"


def wholly_secret(values: pd.DataFrame) -> pd.Series:
    """Territories of ``values`` (``level_values``) whose every stored cell is secret."""
    if "n_secret" not in values:
        return pd.Series(False, index=values.index)
    return (values["n_secret"] > 0) & (values["n_secret"] >= values["n_cells"])


def partly_secret(values: pd.DataFrame) -> pd.Series:
    """Territories whose value is a sum over at least one secret cell and one published value: a lower bound."""
    if "n_secret" not in values:
        return pd.Series(False, index=values.index)
    return (values["n_secret"] > 0) & ~wholly_secret(values)


def bounded(value: float | None, n_secret: int, decimals: int = 0) -> str:
    """A value as printed: « 1 234 », « ≥ 1 234 » when it leaves out secret cells, « s » when it is only secret."""
    if value is None or pd.isna(value):
        return SECRET_MARK if n_secret else MISSING
    text = fr_number(float(value), decimals)
    return f"{LOWER_BOUND} {text}" if n_secret else text


def lower_bound_note(n_secret: int, what: str = "ce total") -> str:
    """« Total minimal (« ≥ ») : 3 valeurs couvertes par le secret statistique ne sont pas comptées dans ce total. »"""
    values = "valeur couverte" if n_secret == 1 else "valeurs couvertes"
    counted = "n'est pas comptée" if n_secret == 1 else "ne sont pas comptées"
    return f"Total minimal (« {LOWER_BOUND} ») : {fr_number(n_secret)} {values} par le secret statistique {counted} dans {what}."


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
    the secret: « s : secret statistique » for a territory wholly secret (its measures emptied by
    :func:`hide_secret`), « total minimal (n valeurs sous secret) » for one whose sum leaves secret
    cells out."""
    whole, part = wholly_secret(values), partly_secret(values)
    if not (whole.any() or part.any()):
        return table
    marked = table.copy()
    n = [int(k) for k in values["n_secret"]]
    minimal = pd.Series([f"total minimal ({fr_number(k)} valeur{'s' if k > 1 else ''} sous secret)" for k in n]).to_numpy()
    remark = marked[remark_header].astype(object).to_numpy()
    marked[remark_header] = np.where(whole.to_numpy(), REMARK_SECRET, np.where(part.to_numpy(), minimal, remark))
    return marked


def secret_note(values: pd.DataFrame, departement_secret: int = 0) -> str | None:
    """The note under a table or chart of ``values``: what « s » means, and that the totals are
    lower bounds (the département's included); None without any secret cell."""
    whole, part = wholly_secret(values), partly_secret(values)
    if not (whole.any() or part.any() or departement_secret):
        return None
    parts = [SECRET_NOTE] if whole.any() else []
    n = int(values["n_secret"].sum()) if "n_secret" in values else 0
    if part.any() or departement_secret:
        what = "le total du département" + (" ni dans les totaux marqués « total minimal »" if part.any() else "")
        parts.append(lower_bound_note(max(n, departement_secret), what))
    return " ".join(parts)


def series_note(secrets: pd.DataFrame, names: dict[str, str]) -> str | None:
    """The note of a chart of sums over time (``queries.secret_counts`` of its territories over its
    period): « Total minimal (« ≥ ») : 3 valeurs couvertes par le secret statistique ne sont pas
    comptées dans les valeurs de Isère. »; None without any secret cell."""
    if secrets.empty or not int(secrets["n_secret"].sum()):
        return None
    where = ", ".join(names.get(str(code), str(code)) for code in secrets["territory_code"])
    return lower_bound_note(int(secrets["n_secret"].max()), f"les valeurs de {where}, qui sont des minimums")


def page_notice(secrets: pd.DataFrame, territory_name: str) -> str | None:
    """The warning of a page whose figures are sums for one territory (Procédure d'expulsion, FSL,
    Mal-logement; ``queries.secret_counts`` of its indicators over its period): « Total minimal (« ≥ ») :
    3 valeurs couvertes par le secret statistique ne sont pas comptées dans les chiffres de Isère sur
    cette page, qui sont des minimums. »; None without any secret cell."""
    if secrets.empty or not int(secrets["n_secret"].sum()):
        return None
    return lower_bound_note(int(secrets["n_secret"].sum()), f"les chiffres de {territory_name} sur cette page, qui sont des minimums")


def rounding_note(rounding: object) -> str | None:
    """« chiffres arrondis à 5 par la source » for an indicator whose source rounds (``indicator.rounding``):
    a sum of rounded communes need not give the published total."""
    if isinstance(rounding, bool) or not isinstance(rounding, numbers.Real):
        return None
    multiple = float(rounding)
    if multiple != multiple or not multiple:  # NaN: no rounding declared
        return None
    return f"chiffres arrondis à {fr_number(multiple)} par la source"
