"""The indicator catalogue (``plans/indicateurs.yaml``) and its loading into ``indicator``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from data_access.errors import UserError
from data_access.models import THEMES, Indicator
from data_access.settings import ROOT
from data_access.vocabulary import STORED_GRANULARITIES as GRANULARITIES
from data_access.writes import upsert
from data_access.yaml_files import read_yaml

CATALOGUE_FILE = ROOT / "plans" / "indicateurs.yaml"
DEFAULT_UNIT = "défaut"  # the key of « maximums_par_unite » for every unit not listed


def catalogue_entries(path: Path = CATALOGUE_FILE) -> list[dict[str, Any]]:
    """The catalogue as dicts ready for the ``indicator`` table, stored indicators first."""
    document = read_yaml(path)
    entries = document["indicateurs"]
    # sources that round their figures (« CAF / MSA »: to 5): said on every figure of their indicators
    rounded = {str(k): int(v) for k, v in (document.get("sources_arrondies") or {}).items()}
    codes = {e["code"] for e in entries}
    rows = []
    for e in entries:
        if e["theme"] not in THEMES or not set(e["granularities"]) <= set(GRANULARITIES):
            raise UserError(f"Catalogue {path.name} : thème ou granularité inconnus pour « {e['code']} ».")
        for part in ("numerator", "denominator"):
            if e.get(part) and e[part] not in codes:
                raise UserError(f"Catalogue {path.name} : « {e['code']} » renvoie à un indicateur inconnu « {e[part]} ».")
        rows.append(
            dict(
                code=e["code"],
                label=e["label"],
                unit=str(e["unit"]),
                theme=e["theme"],
                better=e["better"],
                granularities=",".join(g for g in GRANULARITIES if g in e["granularities"]),
                definition=e["definition"],
                source=e["source"],
                numerator_code=e.get("numerator"),
                denominator_code=e.get("denominator"),
                scale=float(e.get("scale", 1)),
                rounding=int(e["arrondi"]) if e.get("arrondi") else rounded.get(str(e["source"])),
                stock=bool(e.get("stock", False)),
            )
        )
    for row in rows:
        _check_lengths(row, path)
    # numerators and denominators must exist before the ratios that reference them
    return sorted(rows, key=lambda r: r["numerator_code"] is not None)


def unit_maxima(path: Path = CATALOGUE_FILE) -> dict[str, float]:
    """The largest plausible value of one cell per unit (« maximums_par_unite »), with the key
    ``défaut`` for every unit not listed. A catalogue without them gets no bound but finiteness."""
    document = read_yaml(path)
    maxima = {str(unit): float(value) for unit, value in (document.get("maximums_par_unite") or {}).items()}
    return maxima | {DEFAULT_UNIT: maxima.get(DEFAULT_UNIT, float("inf"))}


def _check_lengths(row: dict[str, Any], path: Path) -> None:
    """Every text fits its column (SQLite would store a longer one, PostgreSQL refuses it): say which, in French."""
    for column in Indicator.__table__.columns:
        length = getattr(column.type, "length", None)
        value = row.get(column.name)
        if length is not None and isinstance(value, str) and len(value) > length:
            raise UserError(
                f"Catalogue {path.name} : « {row['code']} », champ « {column.name} » trop long ({len(value)} caractères pour {length} au plus)."
            )


def load_catalogue(conn: Connection, path: Path = CATALOGUE_FILE) -> int:
    """Insert or update every catalogue indicator; returns how many there are. Idempotent."""
    rows = catalogue_entries(path)
    upsert(conn, Indicator, [r for r in rows if r["numerator_code"] is None], ["code"])
    upsert(conn, Indicator, [r for r in rows if r["numerator_code"] is not None], ["code"])
    return len(rows)
