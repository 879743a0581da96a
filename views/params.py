"""One parameter language for every view: URL query parameters → typed :class:`ViewParams`.

The same parser serves the pages (``st.query_params``), the séances (their stored parameters) and
the exports. Every URL the dashboard has ever shown keeps opening the same view: the names and
values below are the ones bookmarks, minutes and séances hold.

============== ======================================================= ==========================
parameter      values                                                  default
============== ======================================================= ==========================
plan           a loaded plan's code                                    the default plan
debut, fin     years (4 ASCII digits, within the data's years)         the plan's years (bounded by
                                                                       the data)
granularite    mois, trimestre, annee, glissant                        annee
niveau         territoire, epci, arrondissement, commune               territoire (an intercommunal plan: its perimeter's level)
territoire     a code of that level, or the département               the département (an intercommunal plan: its perimeter)
presentation   1                                                       off
indicateur     catalogue codes, comma-separated (Tendances: 4 at most) the page's own
avec           codes of the level's territories, comma-separated (5)   none
departement    oui, non (Tendances: add the département's line)        oui unless the territory
                                                                       is the département
affichage      value, rate, per_inhabitants (Comparer)                 rate (value for a ratio)
cumul          1: totals over the period, not yearly averages          off
               (Comparer)
saisonnalite   an eviction-chain indicator (Procédure d'expulsion)     expulsions_effectives
axes, statuts  chantier / orientation codes; status words (Plan)       all
etats          fiche-action follow-up states (Plan): réalisée…         all
============== ======================================================= ==========================

An invalid or hostile value never raises: it falls back to the default and a French notice says so.
A default is never a parameter: :meth:`ViewParams.query` writes only what the user chose.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from data_access.errors import UserError
from data_access.periods import Period
from data_access.vocabulary import CHOOSABLE_LEVELS, GRANULARITY_URL, GRANULARITY_WORD, Granularity, Level
from views.loader import Loader

FIRST_YEAR = 2000
MAX_PARAM_LENGTH = 400  # longer values are hostile or broken: ignored
MAX_LIST = 12  # items read from a comma-separated list before validation
YEAR = re.compile(r"[0-9]{4}")  # ASCII digits only: str.isdigit() accepts « ٢٠٢٠ » and « ²⁰²⁰ »
SIDEBAR_KEYS = ("plan", "debut", "fin", "granularite", "niveau", "territoire", "presentation")
PAGE_KEYS = ("indicateur", "avec", "departement", "affichage", "cumul", "saisonnalite", "axes", "statuts", "etats")


@dataclass(frozen=True)
class ViewParams:
    """A view's parameters, validated, with defaults filled in (the page's own options are raw
    lists, validated by the page's builder against the catalogue)."""

    plan: str
    plan_name: str
    departement: str
    departement_name: str
    first_year: int
    last_year: int
    granularity: Granularity
    level: Level
    territory: str
    territory_name: str
    presentation: bool = False
    plan_first_year: int = 0  # the plan's own years (its period), for « hors période du plan »
    plan_last_year: int = 9999
    indicators: tuple[str, ...] = ()
    compared: tuple[str, ...] = ()
    with_departement: bool | None = None  # None: the page's default
    mode: str | None = None
    total: bool = False  # totals over the period rather than yearly averages (Comparer)
    seasonality: str | None = None
    axes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    progress_states: tuple[str, ...] = ()
    defaults: Mapping[str, str] = field(default_factory=dict, compare=False)  # the sidebar defaults, for ``query``

    @property
    def period(self) -> Period:
        return Period.years(self.first_year, self.last_year)

    @property
    def is_departement(self) -> bool:
        return self.territory == self.departement

    def in_plan(self, year: int) -> bool:
        """Whether ``year`` lies within the plan's own period."""
        return self.plan_first_year <= year <= self.plan_last_year

    @property
    def plan_years_label(self) -> str:
        return f"{self.plan_first_year}–{self.plan_last_year}"

    def with_options(self, **options: object) -> ViewParams:
        """The same view with some page options changed (``indicators=("cql",)``)."""
        return replace(self, **options)  # type: ignore[arg-type]

    def query(self) -> dict[str, str]:
        """The URL parameters of this view: the sidebar's values, and only the page options that were chosen."""
        query = {
            "plan": self.plan,
            "debut": str(self.first_year),
            "fin": str(self.last_year),
            "granularite": GRANULARITY_WORD[self.granularity],
            "niveau": self.level.value,
            "territoire": self.territory,
        }
        if self.presentation:
            query["presentation"] = "1"
        options: dict[str, str] = {
            "indicateur": ",".join(self.indicators),
            "avec": ",".join(self.compared),
            "departement": "" if self.with_departement is None else ("oui" if self.with_departement else "non"),
            "affichage": self.mode or "",
            "cumul": "1" if self.total else "",
            "saisonnalite": self.seasonality or "",
            "axes": ",".join(self.axes),
            "statuts": ",".join(self.statuses),
            "etats": ",".join(self.progress_states),
        }
        return query | {key: value for key, value in options.items() if value}


@dataclass(frozen=True)
class Parsed:
    params: ViewParams
    notices: tuple[str, ...]


def _text(query: Mapping[str, object], key: str) -> str | None:
    raw = query.get(key)
    if isinstance(raw, list | tuple):
        raw = raw[-1] if raw else None  # a repeated parameter: the last one wins, as in Streamlit
    if raw is None:
        return None
    text = str(raw).strip()
    return text if len(text) <= MAX_PARAM_LENGTH else text[:60] + "…"  # never a valid value: its default, with a notice


def _list(query: Mapping[str, object], key: str) -> tuple[str, ...]:
    text = _text(query, key)
    if not text:
        return ()
    return tuple(dict.fromkeys(part.strip() for part in text.split(",")[:MAX_LIST] if part.strip()))


def _shown(value: str) -> str:
    """A value quoted in a notice: short, and without anything Markdown could read as markup."""
    clean = re.sub(r"[^\w .\-–'’]", "", value)[:40]
    return clean + ("…" if len(value) > 40 else "")


def default_plan(plans: pd.DataFrame) -> str:
    """The plan flagged as default in its plan.yaml (``is_default``), else the first one (``plans``: ``queries.plans``)."""
    flagged = plans[plans["is_default"].astype(bool)] if "is_default" in plans.columns else plans.iloc[0:0]
    return str((flagged if not flagged.empty else plans)["code"].iloc[0])


def plan_home(perimeter: object, departement: str, loader: Loader) -> tuple[str, str]:
    """(level, territory) where a plan's pages open without « niveau » nor « territoire »: an
    intercommunal plan's ``perimeter`` (the PLH: its EPCI), else its ``departement`` (level « territoire »)."""
    if not isinstance(perimeter, str) or perimeter == departement:
        return Level.TERRITOIRE.value, departement
    level = next((lv.value for lv in CHOOSABLE_LEVELS if perimeter in set(loader.territories(departement, lv.value)["code"])), None)
    return (level, perimeter) if level is not None else (Level.TERRITOIRE.value, departement)


def parse(query: Mapping[str, object], loader: Loader, *, plan: str | None = None) -> Parsed:
    """The typed parameters of ``query`` (URL parameters, str → str or lists), defaults filled in.

    ``plan`` (a séance's plan) stands for a missing or unknown ``plan`` parameter.

    Raises
    ------
    data_access.errors.UserError
        No plan is loaded in the database (nothing can be shown).
    """
    notices: list[str] = []
    plans = loader.plans()
    if plans.empty:
        raise UserError("Aucun plan n'est chargé dans la base : lancez « python -m data_access setup » (ou « make run »).")
    codes = list(plans["code"])
    asked = _text(query, "plan")
    if asked in codes:
        code = str(asked)
    else:
        if asked:
            notices.append(f"Plan « {_shown(asked)} » inconnu : plan par défaut affiché.")
        code = plan if plan is not None and plan in codes else default_plan(plans)
    row = plans.set_index("code").loc[code]
    departement = str(row["departement_code"])
    departement_name = loader.territory_name(departement)

    low, high = loader.year_bounds(departement)
    plan_first, plan_last = row["period_start"].year, row["period_end"].year
    default_first, default_last = max(plan_first, low), min(plan_last, high)  # the plan's period, bounded by the data
    if default_first > default_last:  # no data in the plan's years: the latest five years with data
        latest = min(max(loader.latest_complete_year(code) or high, low), high)
        default_first, default_last = max(low, latest - 4), latest
    first = _year(_text(query, "debut"), default_first, "début", notices)
    last = _year(_text(query, "fin"), default_last, "fin", notices)
    if first > last:
        notices.append("Période inversée dans l'adresse : début et fin échangés.")
        first, last = last, first
    first, last = min(max(first, low), high), min(max(last, low), high)

    word = _text(query, "granularite")
    granularity = GRANULARITY_URL.get(word or "annee")
    if granularity is None:
        notices.append(f"Pas de temps « {_shown(word or '')} » inconnu : année.")
        granularity = Granularity.YEAR

    home_level, home = plan_home(row["perimeter_code"], departement, loader)
    asked_level, asked_territory = _text(query, "niveau"), _text(query, "territoire")
    level_word = asked_level or (home_level if asked_territory is None else Level.TERRITOIRE.value)
    level = next((lv for lv in CHOOSABLE_LEVELS if lv.value == level_word), None)
    if level is None:
        notices.append(f"Niveau « {_shown(level_word)} » inconnu : territoires.")
        level = Level.TERRITOIRE

    members = loader.territories(departement, level.value)
    names = dict(zip(members["code"], members["name"], strict=True))
    territory = asked_territory or (home if asked_level is None else departement)
    if territory != departement and territory not in names:
        notices.append(f"Territoire « {_shown(territory)} » introuvable à ce niveau : département affiché.")
        territory = departement
    territory_name = departement_name if territory == departement else names[territory]

    with_departement = {"oui": True, "non": False}.get(_text(query, "departement") or "")
    compared = tuple(c for c in _list(query, "avec") if c in names and c != territory)
    params = ViewParams(
        plan=code,
        plan_name=str(row["short_name"]),
        departement=departement,
        departement_name=departement_name,
        first_year=first,
        last_year=last,
        granularity=granularity,
        level=level,
        territory=territory,
        territory_name=territory_name,
        presentation=_text(query, "presentation") == "1",
        plan_first_year=int(plan_first),
        plan_last_year=int(plan_last),
        indicators=_list(query, "indicateur"),
        compared=compared,
        with_departement=with_departement,
        mode=_text(query, "affichage") or None,
        total=_text(query, "cumul") == "1",
        seasonality=_text(query, "saisonnalite") or None,
        axes=_list(query, "axes"),
        statuses=_list(query, "statuts"),
        progress_states=_list(query, "etats"),
        defaults={"debut": str(default_first), "fin": str(default_last)},
    )
    return Parsed(params, tuple(notices))


def _year(raw: str | None, default: int, what: str, notices: list[str]) -> int:
    if raw is None:
        return default
    if YEAR.fullmatch(raw) and FIRST_YEAR <= int(raw) <= 2100:
        return int(raw)
    notices.append(f"Année de {what} « {_shown(raw)} » invalide : {default} retenue.")
    return default
