"""What a file's cells may name: the indicators of the catalogue and the loaded territories.

Read once per import from the database. Lookups are by code first, then by a folded name (case,
accents and punctuation ignored), and report ambiguities rather than guess.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

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
SUGGESTIONS_MAX = 20  # « vouliez-vous dire … » for this many distinct unknown codes of a file: a hostile file costs no more


@dataclass(frozen=True)
class Resolved:
    """A looked-up cell: ``code`` when found, else a French ``problem`` (the text after the value).

    For a Histologe commune, ``outside`` is set when the row's INSEE code or postal code belongs to
    a département that no loaded plan covers (``departement``); ``homonym`` when its name is also
    the name of a loaded commune (the row must not be counted on it)."""

    code: str = ""
    problem: str = ""
    outside: bool = False
    departement: str = ""
    homonym: bool = False


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
    _hints: dict[str, str] = field(default_factory=dict)  # folded unknown code → its suggestion ("" when none)
    suggestions: int = 0  # suggestions computed so far (at most SUGGESTIONS_MAX)

    # --- indicators ------------------------------------------------------------------------------

    def indicator(self, raw: str) -> Resolved:
        text = str(raw).strip()
        if not text:
            return Resolved(problem="est vide (attendu : le code ou le libellé d'un indicateur du catalogue)")
        folded = fold(text)  # folding is the costly part of a lookup: once per distinct cell
        code = self._indicator_names.get(text.lower()) or self._indicator_names.get(folded)
        if code is None:
            hint = self._hint(folded)
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

    def _hint(self, folded: str) -> str:
        """« ; vouliez-vous dire « assignations » ? » for an unknown code, computed once per distinct
        code and for the first SUGGESTIONS_MAX of them only (each costs a scan of every name)."""
        if folded not in self._hints:
            if self.suggestions >= SUGGESTIONS_MAX:
                return ""
            self.suggestions += 1
            close = difflib.get_close_matches(folded, list(self._indicator_names), n=1, cutoff=0.75)
            self._hints[folded] = f" ; vouliez-vous dire « {self._indicator_names[close[0]]} » ?" if close else ""
        return self._hints[folded]

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
        """A commune of a Histologe row, never across a département border.

        The row's INSEE code decides first: a loaded commune is taken as is; a code of a département
        no plan covers puts the row outside (``outside``), even when a loaded commune has the same
        name (Fontaine 38169 and Fontaine 10153…). Without a usable INSEE code, the postal code's
        département decides the same way (first two digits; three overseas; 2A/2B in Corsica). The
        name is only a fallback inside that département (folded, with the current names of communes
        nouvelles as aliases); without any code, a name must be unique among the loaded communes.
        Ambiguous names are problems, never guesses.
        """
        code = clean_code(insee) if insee else ""
        code_departement = departement_of_commune_code(code)
        if code_departement and self._levels.get(code) == "commune":
            return Resolved(code=code)
        key = _name_key(name)
        postal = clean_code(postal_code)
        postal_departement = departement_of_postal_code(postal)
        departement = code_departement or postal_departement
        covered = self._covered
        if departement and departement not in covered:
            return Resolved(outside=True, departement=departement, homonym=key in self._commune_keys)
        if not key:
            return Resolved(problem="ne permet pas de trouver la commune : le code INSEE est inconnu et le nom de la commune est vide")
        if departement:
            found = self._commune_names.get((departement, key), set())
        else:
            found = {c for d in covered for c in self._commune_names.get((d, key), set())}
        if len(found) == 1:
            return Resolved(code=next(iter(found)))
        if len(found) > 1:
            return Resolved(problem=f"désigne plusieurs communes ({self._describe(found)}) : cochez « Code INSEE » lors de l'export")
        by = (
            f"code INSEE « {code} »"
            if code_departement
            else f"code postal « {postal} »"
            if postal_departement
            else "ni code INSEE ni code postal"
        )
        where = f"le département {departement}" if departement else f"les départements chargés ({', '.join(sorted(covered))})"
        return Resolved(
            problem=f"({by}) ne correspond à aucune commune connue : aucune commune de ce nom dans {where} (géographie 2018 ou noms actuels)"
        )

    @cached_property
    def _covered(self) -> frozenset[str]:
        """The départements with loaded communes."""
        return frozenset(d for d, _ in self._commune_names)

    @cached_property
    def _commune_keys(self) -> frozenset[str]:
        """The folded names (and aliases) of every loaded commune."""
        return frozenset(k for _, k in self._commune_names)

    def commune_departement(self, code: str) -> str:
        return str(self.territories.at[code, "departement_code"])

    def communes_of(self, departements: set[str]) -> list[str]:
        """The loaded communes of ``departements``, sorted by code."""
        t = self.territories
        return sorted(t.index[(t["level"] == "commune") & t["departement_code"].astype(str).isin(departements)])

    def is_commune_name(self, name: str) -> bool:
        """Whether ``name`` is the (folded) name of a loaded commune: only such a cell may be quoted in a message."""
        return bool(_name_key(name)) and _name_key(name) in self._commune_keys

    def _describe(self, codes: set[str]) -> str:
        return ", ".join(f"{LEVEL_NAMES[self._levels[c]]} {c}" for c in sorted(codes))


def _period_word(granularity: str) -> str:
    return {"month": "mensuelle", "quarter": "trimestrielle", "year": "annuelle"}[granularity]


def _name_key(name: str) -> str:
    """The folded name of a commune cell, without « Cedex » and what follows."""
    return fold(re.split(r"(?i)\s+cedex\b", str(name))[0])


def departement_of_postal_code(postal: str) -> str:
    """The département of a 5-digit postal code (``""`` when it is not one)."""
    if len(postal) != 5 or not postal.isdigit():
        return ""
    if postal.startswith("97"):
        return postal[:3]
    if postal.startswith("20"):
        return "2A" if postal < "20200" else "2B"
    return postal[:2]


def departement_of_commune_code(code: str) -> str:
    """The département of an INSEE commune code (``""`` when it is not one): 38185 → 38, 2A004 → 2A, 97411 → 974."""
    if re.fullmatch(r"2[AB]\d{3}", code):
        return code[:2]
    if len(code) != 5 or not code.isdigit() or code.startswith("00"):
        return ""
    return code[:3] if code.startswith("97") else code[:2]


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
