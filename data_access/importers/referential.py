"""What a file's cells may name: the indicators of the catalogue and the loaded territories.

Read once per import from the database. Lookups are by code first, then by a folded name (case,
accents and punctuation ignored), and report ambiguities rather than guess.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Connection, inspect, select

from data_access.errors import UserError
from data_access.importers.text import clean_code, fold
from data_access.models import Indicator, Territory, TerritoryAlias

LEVEL_NAMES = {
    "commune": "commune",
    "epci": "EPCI",
    "arrondissement": "arrondissement",
    "territoire": "territoire",
    "departement": "département",
    "france": "France",
}
GRANULARITY_NAMES = {"month": "mensuelles", "quarter": "trimestrielles", "year": "annuelles"}
GRANULARITY_EXAMPLES = {"month": "2024-03", "quarter": "2024-T1", "year": "2024"}
REQUIRED_TABLES = ("observation_history", "import_batch_detail", "territory_alias")


@dataclass(frozen=True)
class Resolved:
    """A looked-up cell: ``code`` when found, else a French ``problem`` (the text after the value)."""

    code: str = ""
    problem: str = ""


@dataclass
class Referential:
    indicators: pd.DataFrame  # index code; label, unit, granularities (tuple), ratio (bool), numerator, denominator
    territories: pd.DataFrame  # index code; name, level, departement_code
    _indicator_names: dict[str, str] = field(default_factory=dict)
    _territory_names: dict[str, set[str]] = field(default_factory=dict)
    _commune_names: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    _granularities: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _ratios: dict[str, tuple[str, str]] = field(default_factory=dict)
    _levels: dict[str, str] = field(default_factory=dict)

    # --- indicators ------------------------------------------------------------------------------

    def indicator(self, raw: str) -> Resolved:
        text = str(raw).strip()
        if not text:
            return Resolved(problem="est vide (attendu : le code ou le libellé d'un indicateur du catalogue)")
        code = self._indicator_names.get(text.lower()) or self._indicator_names.get(fold(text))
        if code is None:
            close = difflib.get_close_matches(fold(text), list(self._indicator_names), n=1, cutoff=0.75)
            hint = f" ; vouliez-vous dire « {self._indicator_names[close[0]]} » ?" if close else ""
            return Resolved(
                problem="n'est pas un indicateur du catalogue (attendu : un code comme « assignations » ou son libellé, "
                f"voir la page « Données et méthodes » ou plans/indicateurs.yaml){hint}"
            )
        if code in self._ratios:
            numerator, denominator = self._ratios[code]
            return Resolved(
                problem=f"est un taux calculé à partir de « {numerator} » et « {denominator} » : "
                "importez ces deux indicateurs, le taux sera recalculé"
            )
        return Resolved(code=code)

    def granularity_problem(self, indicator: str, granularity: str) -> str:
        allowed = self._granularities[indicator]
        if granularity in allowed:
            return ""
        names = " ou ".join(f"{GRANULARITY_NAMES[g]} ({GRANULARITY_EXAMPLES[g]})" for g in allowed)
        return f"est une période {_period_word(granularity)}, mais l'indicateur « {indicator} » n'accepte que des valeurs {names}"

    # --- territories -----------------------------------------------------------------------------

    def territory(self, raw: str) -> Resolved:
        """A territory from its code (INSEE, SIREN, arrondissement, slug, département, FR) or its name."""
        text = str(raw).strip()
        if not text:
            return Resolved(
                problem="est vide (attendu : un code INSEE de commune, un SIREN d'EPCI, un code d'arrondissement, un territoire ou un département)"
            )
        code = clean_code(text)
        if code in self.territories.index:
            return Resolved(code=code)
        if text.lower() in self.territories.index:
            return Resolved(code=text.lower())
        matches = self._territory_names.get(fold(text), set())
        if len(matches) == 1:
            return Resolved(code=next(iter(matches)))
        if len(matches) > 1:
            return Resolved(problem=f"désigne plusieurs territoires ({self._describe(matches)}) : indiquez le code")
        return Resolved(
            problem="n'est pas un territoire connu (attendu : un code INSEE de commune (géographie 2018), un SIREN d'EPCI, "
            "un code d'arrondissement, le code ou le nom d'un territoire, ou le code du département)"
        )

    def commune(self, insee: str, postal_code: str, name: str) -> Resolved:
        """A commune of a Histologe row: its INSEE code when given, else its postal code and name.

        The postal code's first two digits give the département (three for overseas); the name is
        compared folded, with the current names of communes nouvelles as aliases; a name unique
        among all loaded communes is accepted when the postal code points elsewhere.
        """
        if insee:
            code = clean_code(insee)
            if self._levels.get(code) == "commune":
                return Resolved(code=code)
        if not name:
            return Resolved(problem="ne permet pas de trouver la commune : le nom de la commune est vide")
        postal = clean_code(postal_code)
        departement = _departement_of_postal_code(postal)
        key = fold(name.split(" cedex")[0].split(" CEDEX")[0])
        found = self._commune_names.get((departement, key), set())
        if len(found) != 1:
            anywhere = {c for (_, k), codes in self._commune_names.items() if k == key for c in codes}
            found = anywhere if len(anywhere) == 1 else found
        if len(found) == 1:
            return Resolved(code=next(iter(found)))
        loaded = sorted(set(self.territories.loc[self.territories["level"] == "departement"].index))
        if departement not in loaded:
            where = f"le département {departement} n'est couvert par aucun plan chargé ({', '.join(loaded)})"
        else:
            where = f"aucune commune de ce nom dans le département {departement} (géographie 2018 ou noms actuels)"
        return Resolved(problem=f"(code postal « {postal or '-'} ») ne correspond à aucune commune connue : {where}")

    def _describe(self, codes: set[str]) -> str:
        return ", ".join(f"{LEVEL_NAMES[self._levels[c]]} {c}" for c in sorted(codes))


def _period_word(granularity: str) -> str:
    return {"month": "mensuelle", "quarter": "trimestrielle", "year": "annuelle"}[granularity]


def _departement_of_postal_code(postal: str) -> str:
    if len(postal) != 5 or not postal.isdigit():
        return ""
    if postal.startswith("97"):
        return postal[:3]
    if postal.startswith("20"):
        return "2A" if postal < "20200" else "2B"
    return postal[:2]


def check_schema(conn: Connection) -> None:
    """UserError when the database lacks the import tables (migrations not applied)."""
    tables = set(inspect(conn).get_table_names())
    if not set(REQUIRED_TABLES) <= tables:
        raise UserError("La base n'est pas à jour pour les imports : lancez « python -m data_access init » (migrations) puis réessayez.")


def load_referential(conn: Connection) -> Referential:
    """Indicators and territories from the database, with their name indexes."""
    check_schema(conn)
    rows = conn.execute(
        select(
            Indicator.code, Indicator.label, Indicator.unit, Indicator.granularities, Indicator.numerator_code, Indicator.denominator_code
        )
    ).all()
    indicators = pd.DataFrame(
        [
            {
                "code": r[0],
                "label": r[1],
                "unit": r[2],
                "granularities": tuple(g for g in r[3].split(",") if g),
                "ratio": bool(r[4] and r[5]),
                "numerator": r[4],
                "denominator": r[5],
            }
            for r in rows
        ],
        columns=["code", "label", "unit", "granularities", "ratio", "numerator", "denominator"],
    ).set_index("code")
    if indicators.empty:
        raise UserError("Le catalogue des indicateurs est vide : lancez « python -m data_access init ».")
    territories = pd.DataFrame(
        conn.execute(select(Territory.code, Territory.name, Territory.level, Territory.departement_code)).all(),
        columns=["code", "name", "level", "departement_code"],
    ).set_index("code")
    if territories.empty:
        raise UserError("Aucun territoire n'est chargé : chargez d'abord un plan (« python -m data_access load-plan plans/… »).")
    aliases = conn.execute(select(TerritoryAlias.alias, TerritoryAlias.territory_code)).all()

    indicator_names: dict[str, str] = {}
    for code, label in zip(indicators.index, indicators["label"], strict=True):
        indicator_names[code.lower()] = code
        indicator_names.setdefault(fold(code), code)
        indicator_names.setdefault(fold(label), code)
    territory_names: dict[str, set[str]] = defaultdict(set)
    commune_names: dict[tuple[str, str], set[str]] = defaultdict(set)
    for code, name, level, dep in zip(
        territories.index, territories["name"], territories["level"], territories["departement_code"], strict=True
    ):
        territory_names[fold(name)].add(code)
        if not code.isdigit():
            territory_names[fold(code)].add(code)
        if level == "commune":
            commune_names[(str(dep), fold(name))].add(code)
    for alias, code in aliases:
        if code in territories.index:
            territory_names[fold(alias)].add(code)
            commune_names[(str(territories.at[code, "departement_code"]), fold(alias))].add(code)
    return Referential(
        indicators,
        territories,
        indicator_names,
        dict(territory_names),
        dict(commune_names),
        _granularities={str(code): tuple(g) for code, g in indicators["granularities"].items()},
        _ratios={
            str(c): (str(n), str(d))
            for c, n, d, r in zip(indicators.index, indicators["numerator"], indicators["denominator"], indicators["ratio"], strict=True)
            if r
        },
        _levels={str(c): str(level) for c, level in territories["level"].items()},
    )
