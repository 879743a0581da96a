"""Fictitious demonstration data, generated deterministically (fixed seed), stored as one batch
of kind ``demo`` so that every page can say « Données fictives de démonstration » where it applies.

Monthly commune-level series for the eviction chain, FSL and signalements, and yearly series for
every other stored indicator a loaded plan uses and for those of the « Accès et hébergement » page
(``PAGE_THEMES``: 115 and SIAO, DALO, social-housing demand, energy cut-offs; by commune), for every
loaded plan's département. Each
département's series run from January of its first demo year (``first_years``: 2013, or earlier
when one of its plans starts before 2014 or an objective's baseline lies before 2013 — Sarthe from
2007) to December 2025. Nothing depends on which département it is: every magnitude is written
at the scale of Isère's 565 053 households (INSEE RP 2021) and scaled by the département's own
households. Magnitudes are calibrated on real published figures (see ``YEARLY_ISERE``,
``PILOTAGE`` and the README):

- Isère, 2 696 assignations in 2022, about 20 % more than in 2017 (Un Toit Pour Tous);
- national ratios: CQL ≈ 40–45 % of assignations, CFP requested ≈ 75 % of CQL, granted ≈ 60 % of
  requests, effective ≈ 45 % of grants; the 2020 collapse, the 2021 partial recovery, the 2024 rise;
- no effective eviction during the trêve hivernale (1 November – 31 March; extended in 2020–2021);
- FSL charges-courantes requests near 10 248 (6 148 energy) in 2013; SML records near 1 529 a year
  at the start, with insalubrité, non-décence and précarité énergétique near 40, 300 and 650 a year.

The tables are written for 2013–2025; earlier years are extrapolated (``backcast``). The years
2013–2025 are drawn exactly as before any earlier year existed, so their values do not change
when a plan reaches further back; earlier years come from a generator of each département's own.
Which yearly indicators to draw is read from the database (``plan_usage``: fiche indicators,
objectives, a ratio's numerator and denominator), so any indicator the catalogue gains is drawn.
Those without a table (``yearly_values``) are drawn around their objective's target when they
have one (so that some years meet it and some do not); a ratio's free component from the other
one at the ratio's target or a plausible rate (a share never above its whole); any other around
a magnitude read from its unit and theme (``MAGNITUDES``).

Each stage of the eviction chain is drawn as a binomial thinning of the previous one, commune by
commune, so that the chain is never inverted at any level. Communes with no case are not stored:
the series queries count them as zero within a series' coverage (see ``data_access.aggregation``),
and the coverage runs from the first to the last stored month. So each monthly series stores a zero
at the first and the last month of its covered period when no commune has a case then
(``coverage_bounds``): effective evictions end in December, not in October, whatever the trêve.
"""

from __future__ import annotations

import hashlib
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from data_access.models import ActionIndicator, ImportBatch, Indicator, Objective, Plan, Territory, TerritoryMembership
from data_access.vocabulary import TREVE
from data_access.write_lock import take_write_lock
from data_access.writes import bulk_insert_observations, create_batch, refresh_coverage

SEED = 20140101
VERSION = "demo-v3"  # v3: each plan's period and baselines, every indicator a plan uses, coverage-bounding zeros
YEARS = tuple(range(2013, 2026))  # the years the tables below are written for
LAST_YEAR = YEARS[-1]  # every demo series runs to December of this year (provisional that year)
EARLIEST = 1990  # per-year draws (``_yearly_draws``) start here
HISTOLOGE_START = 2023  # Histologe (Signal Logement) opened in Isère on 2 January 2023
DEMO_FILE_NAME = "données de démonstration (générées)"

# Households the magnitudes below are written for (Isère, INSEE RP 2021); a département's demo
# values are these magnitudes times its households / REFERENCE_HOUSEHOLDS.
REFERENCE_HOUSEHOLDS = 565_053
# Yearly département totals for Isère; other départements are scaled by their households.
YEARLY_ISERE: dict[str, tuple[float, ...]] = {
    "assignations": (2650, 2700, 2560, 2400, 2247, 2350, 2450, 1700, 2200, 2696, 2760, 3050, 3100),
    "fsl_demandes_energie": (6150, 6050, 5900, 5750, 5600, 5500, 5450, 6000, 6200, 7100, 7300, 6800, 6500),
    "fsl_demandes_autres": (4100, 4000, 3900, 3850, 3750, 3700, 3650, 3900, 3900, 4100, 4200, 4100, 4100),
    "fsl_acces_menages": (3400, 3450, 3380, 3300, 3320, 3280, 3250, 2700, 3100, 3350, 3400, 3500, 3550),
    "fsl_maintien_menages": (950, 940, 920, 900, 880, 890, 900, 820, 950, 1050, 1100, 1180, 1200),
    "fsl_telephone_menages": (220, 200, 180, 160, 150, 140, 130, 120, 110, 100, 90, 85, 80),
    "mises_en_jeu_garantie": (420, 410, 400, 380, 370, 360, 350, 330, 340, 345, 330, 325, 320),
    "menages_reperes": (1530, 1600, 1680, 1720, 1790, 1850, 1900, 1650, 1880, 1950, 2100, 2250, 2350),
    "signalements_insalubrite": (38, 42, 45, 40, 44, 47, 43, 35, 41, 46, 52, 55, 57),
    "signalements_non_decence": (280, 295, 310, 305, 320, 330, 315, 260, 300, 325, 360, 380, 390),
    "signalements_precarite_energetique": (600, 640, 660, 690, 700, 720, 680, 590, 660, 720, 760, 800, 820),
    "arretes_insalubrite": (12, 14, 11, 13, 15, 12, 14, 8, 11, 13, 16, 15, 17),
    "levees_insalubrite": (7, 8, 9, 8, 10, 11, 9, 6, 8, 10, 11, 12, 12),
    "decisions_travaux": (380, 410, 430, 450, 470, 480, 500, 420, 520, 560, 600, 590, 610),
    "logements_sortis_indignite": (28, 31, 34, 30, 36, 38, 35, 25, 32, 37, 40, 42, 44),
}
# Yearly pilotage values at the scale of REFERENCE_HOUSEHOLDS, rounded to whole counts once scaled.
# A département gets those its plans use (fiche indicators and objectives, a ratio's components),
# counted where its objectives are set (see ``yearly_places``). The first five are Isère's plan
# figures as they are; the last three were set for Sarthe's plan targets (« une vingtaine par an »,
# « 10 ménages par an », 30 + 10 logements) and are written here at Isère's scale: Sarthe's 255 080
# households bring them back to 17–23, 6–12 and 5–11 a year.
PILOTAGE: dict[str, tuple[float, ...]] = {
    "reunions_groupes_techniques_ccapex": (30, 33, 34, 36, 35, 36, 34, 22, 30, 35, 36, 36, 36),
    "comites_suivi_precarite": (2, 4, 4, 3, 4, 4, 4, 2, 3, 4, 4, 3, 4),
    "referents_territoriaux": (0, 5, 11, 13, 13, 13, 13, 13, 12, 13, 13, 13, 13),
    "offre_logements_mobilisee": (9100, 9300, 9200, 9400, 9350, 9500, 9450, 8200, 8900, 9100, 8800, 8700, 8650),
    "logements_filiere_prioritaire": (680, 740, 790, 830, 860, 900, 920, 810, 890, 930, 940, 950, 960),
    "projets_habitat_adapte": (38, 42, 47, 40, 49, 44, 35, 27, 40, 47, 51, 42, 44),
    "menages_reloges_demarche_projet": (18, 24, 20, 27, 22, 16, 24, 13, 20, 22, 27, 24, 22),
    "logements_tres_sociaux_prives": (16, 20, 18, 22, 20, 18, 24, 11, 18, 20, 22, 20, 24),
}
# Yearly values of the « Accès et hébergement » page at the scale of REFERENCE_HOUSEHOLDS, shared
# among each département's communes as its monthly cases are (``commune_weights``), so that every
# level has a value. Orders of magnitude only, set by hand (not published figures): 115 calls
# mostly unanswered and rising, a SIAO orienting about a third of its requests, places growing,
# DALO recours near 700 a year, attributions near a quarter of the social-housing demand, energy
# cut-offs near 1 % of households with the 2020 dip (trêve extended). A part is always below its whole.
ACCES_HEBERGEMENT: dict[str, tuple[float, ...]] = {
    "demandes_115": (24000, 25500, 27000, 28500, 30000, 31000, 32500, 36000, 35000, 36500, 38000, 39500, 40500),
    "demandes_115_non_pourvues": (10800, 11700, 12700, 13700, 14700, 15500, 16600, 19800, 18900, 20100, 21300, 22500, 23500),
    "demandes_siao_insertion": (4000, 4150, 4300, 4400, 4550, 4700, 4800, 4500, 4900, 5000, 5100, 5150, 5200),
    "orientations_siao": (1450, 1480, 1500, 1530, 1560, 1590, 1620, 1400, 1600, 1640, 1660, 1680, 1700),
    "places_hebergement": (2800, 2900, 3000, 3100, 3250, 3400, 3500, 4100, 4150, 4100, 4150, 4200, 4200),
    "sorties_vers_logement": (880, 900, 920, 950, 970, 990, 1010, 820, 980, 1040, 1060, 1080, 1100),
    "dalo_recours_deposes": (620, 650, 680, 700, 690, 710, 720, 600, 680, 740, 760, 790, 800),
    "dalo_decisions_favorables": (230, 240, 250, 260, 250, 255, 265, 220, 245, 270, 275, 285, 290),
    "dalo_relogements": (170, 175, 185, 190, 185, 190, 195, 150, 175, 195, 200, 205, 210),
    "demandes_logement_social": (28000, 28500, 29000, 29500, 30000, 30500, 31000, 29500, 31500, 32500, 33500, 34500, 35000),
    "attributions_logement_social": (7400, 7500, 7300, 7400, 7300, 7200, 7100, 6300, 6800, 6900, 6700, 6600, 6500),
    "attributions_publics_prioritaires": (1650, 1750, 1800, 1900, 1950, 2000, 2050, 1850, 2050, 2150, 2200, 2250, 2300),
    "attributions_contingent_prefectoral": (1100, 1120, 1090, 1110, 1100, 1080, 1070, 950, 1020, 1040, 1010, 990, 980),
    "coupures_impayes_energie": (3900, 3800, 3700, 3600, 3500, 3450, 3400, 2300, 2900, 3300, 3600, 3700, 3650),
    "reductions_puissance": (1500, 1600, 1700, 1800, 1900, 2000, 2100, 1900, 2300, 2600, 2800, 2900, 3000),
}
# Tables of yearly values (département totals at Isère's scale), and the page whose theme is drawn in
# every département whatever its plans list (the page shows it everywhere)
YEARLY_TABLES = PILOTAGE | ACCES_HEBERGEMENT
PAGE_THEMES = frozenset({"acces_hebergement"})
# Before 2013 a table is extrapolated: the mean of its first three years, the trend of its first six
# carried back (at most ±1 % a year) and a yearly wobble of ±8 % (see ``backcast``).
BACKCAST_TREND = 0.01
BACKCAST_WOBBLE = 0.08

# Indicators without a table: a yearly value at the scale of REFERENCE_HOUSEHOLDS by unit (its
# first word, singular or plural), else by theme, else DEFAULT_MAGNITUDE; it drifts by
# DRIFT a year towards « better » from 2013 and varies by ±SPREAD from year to year. Stored
# values add up (the aggregation sums them): days are cumulated days, euros are totals.
MAGNITUDES: dict[str, float] = {
    unit: value
    for value, units in (
        (2_000_000, "kwh"),
        (400_000, "€ euro"),
        (30_000, "journée"),
        (20_000, "jour allocataire"),
        (2000, "guide mwh"),
        (1500, "consultation"),
        (600, "personne"),
        (500, "demande aide"),
        (400, "ménage foyer attribution t"),
        (300, "dossier décision diagnostic mesure accompagnement saisine garantie orientation proposition mise plan suspension sortie"),
        (250, "logement"),
        (200, "signalement visite expulsion sollicitation"),
        (150, "place situation enquête prêt relogement contrôle bail baux"),
        (100, "subvention contrat"),
        (60, "recours procédure"),
        (40, "règlement participant k€"),
        (30, "commune remise"),
        (20, "réunion projet action atelier partenaire solution acteur"),
        (15, "arrêté structure signataire"),
        (12, "commission séance"),
        (10, "référent opération formation session bailleur support litige"),
        (8, "opérateur"),
        (6, "instance"),
        (5, "convention epci"),
        (4, "comité"),
        (3, "outil établissement commande"),
        (2, "maison"),
        (1, "charte"),
    )
    for unit in units.split()
}
THEME_MAGNITUDES: dict[str, float] = {"expulsions": 300, "fsl": 500, "mal_logement": 150, "pilotage": 10}
DEFAULT_MAGNITUDE = 100.0
# A stored percentage (unit « % »): drawn as it is, never scaled nor shared, within 0–100.
PERCENT_MAGNITUDE = 40.0
# A ratio's rate when no objective sets it, by the ratio's unit: a percentage by « better »
# (a share of its whole), a mean by the unit's first word (« € par place et par jour »: 30).
RATIO_PERCENT = {"higher": 70.0, "lower": 20.0, "none": 50.0}
RATIO_MEANS = {"jour": 60.0, "€": 500.0, "€ par jour": 30.0}
RATIO_DEFAULT = 1.0
DRIFT = 0.02
SPREAD = 0.2
# contexte indicators (population, households) come from the reference data, never from the demo
NOT_GENERATED_THEMES = frozenset({"contexte"})

# Month weights, January first.
SEASON_FLAT = np.array([1.0, 1.05, 1.1, 1.05, 1.0, 1.0, 0.9, 0.55, 1.0, 1.1, 1.1, 0.95])
SEASON_WINTER = np.array([1.5, 1.4, 1.2, 0.9, 0.7, 0.6, 0.6, 0.5, 0.7, 0.9, 1.2, 1.4])
# Months (1-12) in which an eviction may be carried out, per year: the trêve hivernale runs from
# 1 November to 31 March; in 2020 and 2021 it was extended to 10 July and 31 May.
EVICTION_MONTHS = {2020: (7, 8, 9, 10), 2021: (6, 7, 8, 9, 10)}
EVICTION_MONTHS_DEFAULT = tuple(m for m in range(1, 13) if not TREVE.covers(m))  # April to October
EVICTION_MONTH_WEIGHTS = {4: 1.4, 5: 1.3, 6: 1.2, 7: 0.9, 8: 0.6, 9: 1.0, 10: 1.1}
# Average aid amounts in euros (2013) and their yearly drift.
AMOUNTS = {"acces": (520, 0.02), "maintien": (1250, 0.02), "energie": (290, 0.03), "eau": (170, 0.01), "telephone": (85, 0.0)}
# Monthly series that start later than their département's demo period, by design
SERIES_START = {"signalements_deposes": HISTOLOGE_START, "signalements_clotures": HISTOLOGE_START}


@dataclass(frozen=True)
class Communes:
    codes: np.ndarray
    departements: np.ndarray
    weights: np.ndarray  # share of the département's cases, sums to 1 per département

    def of(self, departement: str) -> Communes:
        own = self.departements == departement
        return Communes(self.codes[own], self.departements[own], self.weights[own])


def demo_batch_ids(conn: Connection) -> list[int]:
    return list(conn.scalars(select(ImportBatch.id).where(ImportBatch.kind == "demo", ImportBatch.reverted_at.is_(None))))


def first_years(conn: Connection, departements: Sequence[str]) -> dict[str, int]:
    """Each département's first demo year: the earliest of 2013, the year before the first year
    of any of its loaded plans and the first year of any of its objectives' baselines (Sarthe's
    2008–2012 plan and its 2007 baselines: 2007)."""
    first = {dep: YEARS[0] for dep in departements}
    plans = select(Plan.departement_code, Plan.period_start).where(Plan.departement_code.in_(list(departements)))
    for dep, plan_start in conn.execute(plans):
        first[dep] = min(first[dep], plan_start.year - 1)
    baselines = (
        select(Plan.departement_code, Objective.baseline_start)
        .join(Objective, Objective.plan_code == Plan.code)
        .where(Plan.departement_code.in_(list(departements)), Objective.baseline_start.is_not(None))
    )
    for dep, baseline_start in conn.execute(baselines):
        first[dep] = min(first[dep], baseline_start.year if baseline_start else first[dep])
    return first


def _yearly_draws(key: str, low: float, high: float) -> np.ndarray:
    """Uniform draws in [low, high), one per year from EARLIEST to LAST_YEAR, from a generator seeded
    by ``key``: a year's draw depends on the key and the year only (not on the catalogue, nor on
    which years are asked for)."""
    return np.random.default_rng([SEED, zlib.crc32(key.encode())]).uniform(low, high, LAST_YEAR - EARLIEST + 1)


def _draw(draws: np.ndarray, year: int) -> float:
    return float(draws[min(max(year, EARLIEST), LAST_YEAR) - EARLIEST])


def backcast(key: str, values: Sequence[float], year: int) -> float:
    """The value of table ``key`` (written for YEARS) for a ``year`` before YEARS: the mean of its
    first three values, set at their middle year, with the trend of its first six years carried
    back (at most ±BACKCAST_TREND a year), times a yearly wobble of ±BACKCAST_WOBBLE; 0 when the
    table starts at 0 (what it counts did not exist yet: the référents were appointed from 2014)."""
    if not values[0]:
        return 0.0
    anchor = float(np.mean(values[:3]))
    trend = float(np.clip((float(np.mean(values[3:6])) / anchor) ** (1 / 3) - 1, -BACKCAST_TREND, BACKCAST_TREND))
    wobble = _draw(_yearly_draws(f"backcast:{key}", 1 - BACKCAST_WOBBLE, 1 + BACKCAST_WOBBLE), year)
    return anchor * (1 + trend) ** (year - YEARS[1]) * wobble


def calibration(table: dict[str, tuple[float, ...]], years: Sequence[int]) -> dict[str, tuple[float, ...]]:
    """``table`` (written for YEARS) for ``years``: its own values, extrapolated before YEARS."""
    return {
        key: tuple(float(values[y - YEARS[0]]) if y >= YEARS[0] else backcast(key, values, y) for y in years)
        for key, values in table.items()
    }


def _ramp(years: Sequence[int], first: float, last: float) -> np.ndarray:
    """A rate going linearly from ``first`` in 2013 to ``last`` in LAST_YEAR, carried on before 2013."""
    base = np.linspace(first, last, len(YEARS))
    step = (last - first) / (len(YEARS) - 1)
    return np.array([base[y - YEARS[0]] if y >= YEARS[0] else min(max(first + step * (y - YEARS[0]), 0.0), 1.0) for y in years])


def commune_weights(conn: Connection, departements: list[str], rng: np.random.Generator) -> Communes:
    """Each commune's share of its département's cases: households times an urban factor (larger
    communes have higher rates per 1 000 ménages) times a per-territoire factor."""
    rows = conn.execute(
        select(Territory.code, Territory.departement_code, Territory.households, TerritoryMembership.group_code)
        .join(TerritoryMembership, TerritoryMembership.member_code == Territory.code)
        .where(Territory.level == "commune", Territory.departement_code.in_(departements), TerritoryMembership.group_level == "territoire")
        .order_by(Territory.code)
    ).all()
    frame = pd.DataFrame(rows, columns=["code", "dep", "households", "territoire"])
    territoire_factor = {t: rng.uniform(0.85, 1.2) for t in sorted(frame["territoire"].unique())}
    urban = np.clip(0.2 + 0.3 * np.log10(frame["households"].to_numpy() + 1.0), 0.4, 2.0)
    raw = frame["households"].to_numpy() * urban * frame["territoire"].map(territoire_factor).to_numpy()
    weights = raw / frame.assign(raw=raw).groupby("dep")["raw"].transform("sum").to_numpy()
    return Communes(frame["code"].to_numpy(), frame["dep"].to_numpy(), weights)


def _monthly_expectation(
    communes: Communes, yearly: tuple[float, ...], scale: dict[str, float], season: np.ndarray, years: Sequence[int]
) -> np.ndarray:
    """Expected monthly counts per commune (rows) and month (columns) from Isère-scale yearly totals."""
    months = []
    for total, year in zip(yearly, years, strict=True):
        profile = season.copy()
        if year == 2020:
            profile[2:5] *= (0.5, 0.1, 0.3)  # courts and services closed in spring 2020
        months.append(profile / profile.sum() * total)
    dep_scale = np.array([scale[d] for d in communes.departements])
    return np.outer(communes.weights * dep_scale, np.concatenate(months))


def _evictions(rng: np.random.Generator, granted: np.ndarray, years: Sequence[int]) -> np.ndarray:
    """Effective evictions: 45 % of each commune's yearly grants, carried out outside the trêve."""
    out = np.zeros_like(granted)
    for index, year in enumerate(years):
        block = slice(index * 12, index * 12 + 12)
        yearly = rng.binomial(granted[:, block].sum(axis=1), 0.45)
        months = EVICTION_MONTHS.get(year, EVICTION_MONTHS_DEFAULT)
        weights = np.array([EVICTION_MONTH_WEIGHTS[m] for m in months])
        spread = rng.multinomial(yearly, weights / weights.sum())
        for column, month in enumerate(months):
            out[:, index * 12 + month - 1] = spread[:, column]
    return out


def _amounts(rng: np.random.Generator, households: np.ndarray, aid: str, years: Sequence[int]) -> np.ndarray:
    """Aid amounts in euros: a sum of gamma-distributed individual aids around a drifting mean."""
    mean, drift = AMOUNTS[aid]
    means = np.repeat([mean * (1 + drift) ** (y - YEARS[0]) * (1.15 if aid == "energie" and y in (2022, 2023) else 1.0) for y in years], 12)
    shape = 4.0
    draws = rng.gamma(np.maximum(households * shape, 1e-9), np.broadcast_to(means / shape, households.shape))
    return np.where(households > 0, np.round(draws), 0.0)


def monthly_series(
    communes: Communes,
    scale: dict[str, float],
    rng: np.random.Generator,
    years: Sequence[int] = YEARS,
    yearly: dict[str, tuple[float, ...]] | None = None,
) -> dict[str, np.ndarray]:
    """Every monthly demo series, as arrays of communes × months (January of ``years[0]`` … December
    of ``years[-1]``), from ``yearly`` (YEARLY_ISERE for ``years``; by default the table itself)."""
    y = YEARLY_ISERE if yearly is None else yearly
    s: dict[str, np.ndarray] = {}

    def expectation(key: str, season: np.ndarray = SEASON_FLAT) -> np.ndarray:
        return _monthly_expectation(communes, y[key], scale, season, years)

    def poisson(key: str, season: np.ndarray = SEASON_FLAT) -> np.ndarray:
        return rng.poisson(expectation(key, season)).astype(float)

    def thinned(upstream: str, rate: float | np.ndarray) -> np.ndarray:
        return rng.binomial(s[upstream].astype(int), rate).astype(float)

    s["assignations"] = poisson("assignations")
    s["impayes_signales"] = rng.poisson(2.6 * expectation("assignations")).astype(float)
    s["decisions_expulsion"] = thinned("assignations", 0.87)
    s["cql"] = thinned("decisions_expulsion", 0.49)
    s["cfp_demandes"] = thinned("cql", 0.75)
    s["cfp_accordes"] = thinned("cfp_demandes", np.repeat([0.45 if year in (2020, 2021) else 0.60 for year in years], 12))
    s["expulsions_effectives"] = _evictions(rng, s["cfp_accordes"].astype(int), years).astype(float)
    # prevention improves over the plan: more social diagnoses, more households at the hearing
    s["diagnostics_sociaux"] = thinned("assignations", np.repeat(_ramp(years, 0.45, 0.70), 12))
    s["menages_presents_audience"] = thinned("assignations", np.repeat(_ramp(years, 0.30, 0.42), 12))
    s["dossiers_ccapex"] = thinned("cql", 0.35)

    s["fsl_demandes_energie"] = poisson("fsl_demandes_energie", SEASON_WINTER)
    others = poisson("fsl_demandes_autres")
    s["fsl_demandes_charges_courantes"] = s["fsl_demandes_energie"] + others
    s["fsl_energie_menages"] = thinned("fsl_demandes_energie", 0.72)
    s["fsl_eau_menages"] = rng.binomial(others.astype(int), 0.58).astype(float)
    s["fsl_telephone_menages"] = poisson("fsl_telephone_menages")
    s["fsl_acces_menages"] = poisson("fsl_acces_menages")
    s["fsl_maintien_menages"] = poisson("fsl_maintien_menages")
    for aid in AMOUNTS:
        s[f"fsl_{aid}_montant"] = _amounts(rng, s[f"fsl_{aid}_menages"], aid, years)
    s["mises_en_jeu_garantie"] = poisson("mises_en_jeu_garantie")

    for key in (
        "menages_reperes",
        "signalements_insalubrite",
        "signalements_non_decence",
        "signalements_precarite_energetique",
        "arretes_insalubrite",
        "levees_insalubrite",
        "decisions_travaux",
        "logements_sortis_indignite",
    ):
        s[key] = poisson(key)
    # Histologe's own counts start with it (SERIES_START)
    histologe = np.repeat([year >= HISTOLOGE_START for year in years], 12)
    s["signalements_deposes"] = np.where(histologe, s["menages_reperes"], 0.0)
    s["signalements_clotures"] = thinned("signalements_deposes", 0.8)
    return s


def _status(period_start: pd.Series) -> np.ndarray:
    return np.where(period_start.dt.year >= LAST_YEAR, "provisoire", "définitif")


def _long_frame(series: dict[str, np.ndarray], communes: Communes, years: Sequence[int] = YEARS) -> pd.DataFrame:
    """Non-zero monthly values as observation rows (months of LAST_YEAR are provisional), with
    each commune's département (``dep``, dropped before storing)."""
    periods = pd.date_range(f"{years[0]}-01-01", f"{years[-1]}-12-01", freq="MS")
    frames = []
    for indicator, values in series.items():
        rows, cols = np.nonzero(values)
        frames.append(
            pd.DataFrame(
                {
                    "indicator_code": indicator,
                    "territory_code": communes.codes[rows],
                    "period_start": periods[cols],
                    "value": values[rows, cols],
                    "dep": communes.departements[rows],
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True).assign(granularity="month")
    frame["status"] = _status(frame["period_start"])
    return frame


def coverage_bounds(frame: pd.DataFrame, communes: Communes, firsts: dict[str, int], indicators: Sequence[str]) -> pd.DataFrame:
    """Zero rows that make each monthly series' coverage its whole covered period: January of its
    first year (the département's first demo year, or the series' own start) to December of
    LAST_YEAR. ``series_coverage`` runs from the first to the last stored month and the months
    between count as zero, so one zero at each end where no commune has a value is all it takes
    (stored at the département's commune with the most cases): without them, effective evictions
    would start in April and end in October (the trêve hivernale), and their last year would
    never be complete."""
    stored = frame.groupby(["indicator_code", "dep"])["period_start"].agg(["min", "max"])
    spans = {(str(i), str(d)): (first, last) for (i, d), first, last in zip(stored.index, stored["min"], stored["max"], strict=True)}
    rows = []
    for dep in sorted(firsts):
        own = communes.of(dep)
        if not len(own.codes):
            continue
        anchor = own.codes[int(np.argmax(own.weights))]
        end = pd.Timestamp(LAST_YEAR, 12, 1)
        for indicator in indicators:
            start = pd.Timestamp(max(firsts[dep], SERIES_START.get(indicator, firsts[dep])), 1, 1)
            if start > end:
                continue
            first, last = spans.get((indicator, dep), (None, None))
            rows += [(indicator, anchor, start, dep)] if first is None or first > start else []
            rows += [(indicator, anchor, end, dep)] if last is None or last < end else []
    zeros = pd.DataFrame(rows, columns=["indicator_code", "territory_code", "period_start", "dep"]).assign(value=0.0, granularity="month")
    zeros["period_start"] = pd.to_datetime(zeros["period_start"])
    zeros["status"] = _status(zeros["period_start"])
    return zeros


def _monthly_frame(communes: Communes, scale: dict[str, float], rng: np.random.Generator, firsts: dict[str, int]) -> pd.DataFrame:
    """Every monthly row: YEARS for every département, drawn exactly as they always were; then each
    département's earlier years, from a generator of its own and the extrapolated tables; then the
    zeros that bound each series' coverage."""
    series = monthly_series(communes, scale, rng)
    frames = [_long_frame(series, communes)]
    for dep in sorted(firsts):
        if firsts[dep] >= YEARS[0]:
            continue
        years = tuple(range(firsts[dep], YEARS[0]))
        own = communes.of(dep)
        generator = np.random.default_rng([SEED, zlib.crc32(dep.encode())])
        frames.append(_long_frame(monthly_series(own, scale, generator, years, calibration(YEARLY_ISERE, years)), own, years))
    frame = pd.concat(frames, ignore_index=True)
    return pd.concat([frame, coverage_bounds(frame, communes, firsts, list(series))], ignore_index=True)


# --- yearly series: every other stored indicator a plan uses -------------------------------------


@dataclass(frozen=True)
class Aim:
    """An objective on a stored indicator, as the demo calibrates it: on the indicator itself
    (``ratio`` None), or on a ratio it is the ``role`` (numerator, denominator) of."""

    territory: str
    kind: str
    target: float | None
    baseline: float | None
    start: int  # first and last calendar years of the objective's period
    end: int
    ratio: str | None = None
    role: str | None = None

    @property
    def level(self) -> float | None:
        """The yearly value the objective is about: its target (a cumulative one spread over its
        years), else its baseline."""
        if self.target is not None:
            return self.target / (self.end - self.start + 1) if self.kind == "min_cumulative" else self.target
        return self.baseline


@dataclass(frozen=True)
class CatalogueEntry:
    unit: str
    theme: str
    better: str
    numerator: str | None
    denominator: str | None
    scale: float


@dataclass
class PlanUsage:
    """The stored indicators each département's plans use and the objectives set on them."""

    catalogue: dict[str, CatalogueEntry]
    used: set[tuple[str, str]] = field(default_factory=set)  # (département, stored indicator)
    ratios: set[tuple[str, str]] = field(default_factory=set)  # (département, ratio indicator)
    aims: dict[tuple[str, str], list[Aim]] = field(default_factory=dict)


def plan_usage(conn: Connection, departements: Sequence[str]) -> PlanUsage:
    """Read from the database: an indicator is used when a fiche-action lists it or an objective
    measures it; a ratio brings its numerator and denominator (ratios are never stored)."""
    catalogue = {
        code: CatalogueEntry(unit or "", theme or "", better or "none", numerator, denominator, float(scale or 1.0))
        for code, unit, theme, better, numerator, denominator, scale in conn.execute(
            select(
                Indicator.code,
                Indicator.unit,
                Indicator.theme,
                Indicator.better,
                Indicator.numerator_code,
                Indicator.denominator_code,
                Indicator.scale,
            )
        )
    }
    usage = PlanUsage(catalogue)

    def stored(code: str) -> list[tuple[str, str | None]]:
        entry = catalogue[code]
        if entry.numerator and entry.denominator:
            return [(entry.numerator, "numerator"), (entry.denominator, "denominator")]
        return [(code, None)]

    def use(dep: str, code: str) -> None:
        usage.used.update((dep, c) for c, _ in stored(code))
        if stored(code)[0][1]:
            usage.ratios.add((dep, code))

    for code, entry in catalogue.items():
        if entry.theme in PAGE_THEMES:
            for dep in departements:
                use(dep, code)
    in_plans = select(Plan.departement_code).where(Plan.departement_code.in_(list(departements)))
    for dep, indicator in conn.execute(
        in_plans.add_columns(ActionIndicator.indicator_code)
        .join(ActionIndicator, ActionIndicator.plan_code == Plan.code)
        .order_by(Plan.code, ActionIndicator.indicator_code)
    ):
        use(dep, indicator)
    objectives = (
        in_plans.add_columns(
            Objective.indicator_code,
            Objective.territory_code,
            Objective.kind,
            Objective.target_value,
            Objective.baseline_value,
            Objective.period_start,
            Objective.period_end,
        )
        .join(Objective, Objective.plan_code == Plan.code)
        .where(Objective.indicator_code.is_not(None))
        .order_by(Plan.code, Objective.position, Objective.id)
    )
    for dep, indicator, territory, kind, target, baseline, start, end in conn.execute(objectives):
        use(dep, indicator)
        for code, role in stored(indicator):
            aim = Aim(territory, kind, target, baseline, start.year, max(start.year, end.year), indicator if role else None, role)
            usage.aims.setdefault((dep, code), []).append(aim)
    return usage


def _generated(usage: PlanUsage, code: str) -> bool:
    entry = usage.catalogue[code]
    return not (entry.numerator and entry.denominator) and entry.theme not in NOT_GENERATED_THEMES


def yearly_places(
    usage: PlanUsage,
    households: dict[str, int | None],
    skip: frozenset[str] | set[str] = frozenset(),
    commune_shares: dict[str, dict[str, float]] | None = None,
) -> dict[tuple[str, str], dict[str, float]]:
    """Where each yearly indicator used by a département's plans (all but ``skip``) is counted,
    with each place's share of the département's value: ``{(département, indicator): {territory: share}}``.

    An ``ACCES_HEBERGEMENT`` table that no objective places is counted by commune, with the
    département's ``commune_shares`` (its monthly cases' weights), so that every level has a value.
    Any other is counted at the département, unless every objective on it names a smaller territory:
    then at those territories, shared in proportion to their targets (Sarthe 2A: 30 on Le Mans
    Métropole and 10 elsewhere give 75 % and 25 %), or to their households when a target is
    missing (a ratio's target is a rate, not a count to share).
    """
    places: dict[tuple[str, str], dict[str, float]] = {}
    for dep, code in sorted(usage.used):
        if code in skip or not _generated(usage, code):
            continue
        named: dict[str, float | None] = {}
        for aim in usage.aims.get((dep, code), []):
            named[aim.territory] = aim.target if aim.ratio is None else None
        if not named and code in ACCES_HEBERGEMENT and commune_shares is not None:
            places[(dep, code)] = commune_shares[dep]
            continue
        if not named or dep in named:
            places[(dep, code)] = {dep: 1.0}
            continue
        if all(target is not None and target > 0 for target in named.values()):
            weights = {t: float(target or 0) for t, target in sorted(named.items())}
        else:
            weights = {t: float(households.get(t) or 0) for t in sorted(named)}
        total = sum(weights.values()) or 1.0
        places[(dep, code)] = {t: w / total for t, w in weights.items()}
    return places


def _unit_key(word: str) -> str:
    """A unit's word, lower case and singular (« Ménages » → « ménage », « baux » → « bau »)."""
    word = word.lower()
    return word[:-1] if len(word) > 2 and word.endswith(("s", "x")) else word


_COUNTS = {_unit_key(unit): value for unit, value in MAGNITUDES.items()}


def _percent(entry: CatalogueEntry) -> bool:
    return entry.unit.strip().startswith("%")


def magnitude(entry: CatalogueEntry) -> float:
    """The yearly value at the scale of REFERENCE_HOUSEHOLDS of a stored count without a table or
    an objective, from its unit's first word, else its theme (see MAGNITUDES)."""
    words = entry.unit.split()
    return _COUNTS.get(_unit_key(words[0]) if words else "", THEME_MAGNITUDES.get(entry.theme, DEFAULT_MAGNITUDE))


def ratio_rate(ratio: CatalogueEntry, aim: Aim | None) -> float:
    """numerator / denominator of a ratio: its objective's level (target, else baseline), else a
    plausible rate from its unit (RATIO_PERCENT, RATIO_MEANS)."""
    if aim is not None and aim.level is not None:
        return float(aim.level) / ratio.scale
    if _percent(ratio):
        return RATIO_PERCENT.get(ratio.better, RATIO_PERCENT["none"]) / ratio.scale
    words = [_unit_key(w) for w in ratio.unit.replace("/", " par ").split()]
    key = f"{words[0]} par jour" if words and "jour" in words[1:] else (words[0] if words else "")
    return RATIO_MEANS.get(key, RATIO_MEANS.get(words[0], RATIO_DEFAULT) if words else RATIO_DEFAULT) / ratio.scale


def _rounded(value: float, entry: CatalogueEntry, chance: float = 0.5) -> float:
    """A whole count, rounded up with probability its fraction when ``chance`` is uniform in
    [0, 1) (so that a yearly 0.4 is 0 or 1, 0.4 on average, rather than always 0); a percentage
    to a tenth, within 0–100."""
    if _percent(entry):
        return min(100.0, max(0.0, round(value, 1)))
    return float(max(0, int(np.floor(value + chance))))


class _Values:
    """Yearly values being drawn: ``(indicator, territory, year) → value``, with the monthly series'
    yearly sums per département (``totals``) to read a ratio's monthly component from."""

    def __init__(self, totals: dict[tuple[str, str, int], float]) -> None:
        self.values: dict[tuple[str, str, int], float] = {}
        self.totals = totals
        self.known = {(i, d) for i, d, _ in totals}

    def set(self, code: str, territory: str, departement: str, year: int, value: float) -> None:
        self.values[(code, territory, year)] = value
        self.known.add((code, departement))

    def has(self, code: str, departement: str) -> bool:
        return (code, departement) in self.known

    def at(self, code: str, territory: str, departement: str, share: float, year: int) -> float:
        """``code``'s value at ``territory``, else the département's times ``share``."""
        if (value := self.values.get((code, territory, year))) is not None:
            return value
        whole = self.values.get((code, departement, year))
        return (whole if whole is not None else self.totals.get((code, departement, year), 0.0)) * share


def yearly_values(
    usage: PlanUsage,
    places: dict[tuple[str, str], dict[str, float]],
    scale: dict[str, float],
    firsts: dict[str, int],
    totals: dict[tuple[str, str, int], float],
) -> list[tuple[str, str, int, float]]:
    """(indicator, territory, year, value) of every yearly series, from each département's first
    demo year to LAST_YEAR, rounded to whole counts (percentages to a tenth, within 0–100):

    - a ``PILOTAGE`` or ``ACCES_HEBERGEMENT`` table: the département's value is the table's scaled by its households
      (extrapolated before 2013), shared among its places; before 2013, in the years an
      objective on it runs, around the objective's level as below (Sarthe's 2008–2012 targets);
    - an indicator with a target (or a baseline level) at a place: around that yearly level,
      ±SPREAD from year to year, so that some years meet it and some do not;
    - a ratio's free component (no table, no objective of its own): drawn from the other one
      at the ratio's rate (``ratio_rate``: its objective's target, else a plausible rate), ±SPREAD,
      a share never above its whole; when neither is known yet, the denominator is drawn first;
    - any other: its unit's magnitude (``magnitude``) scaled by households (a stored percentage:
      PERCENT_MAGNITUDE as it is) and shared among its places, drifting towards « better ».

    ``totals`` holds (indicator, département, year) sums of the monthly series, for a ratio with
    a monthly component.
    """
    drawn = _Values(totals)
    free = {
        (dep, code)
        for dep, ratio in usage.ratios
        for code in (str(usage.catalogue[ratio].numerator), str(usage.catalogue[ratio].denominator))
        if (dep, code) in places and code not in YEARLY_TABLES and not _own_aims(usage, dep, code)
    }
    for (dep, code), shares in sorted(places.items()):
        if (dep, code) not in free:
            _draw_series(drawn, usage, dep, code, shares, scale[dep], firsts[dep])
    ratios = sorted(usage.ratios)
    while free:
        progressed = False
        for dep, ratio in ratios:
            entry = usage.catalogue[ratio]
            numerator, denominator = str(entry.numerator), str(entry.denominator)
            for code, other in ((numerator, denominator), (denominator, numerator)):
                if (dep, code) in free and (dep, other) not in free and drawn.has(other, dep):
                    _derive(drawn, usage, dep, ratio, code, other, places[(dep, code)], firsts[dep])
                    free.discard((dep, code))
                    progressed = True
        if not progressed:  # neither component of any ratio left is known: draw one, a denominator first
            denominators = {(d, str(usage.catalogue[r].denominator)) for d, r in ratios}
            dep, code = min(free, key=lambda key: (key not in denominators, key))
            _draw_series(drawn, usage, dep, code, places[(dep, code)], scale[dep], firsts[dep])
            free.discard((dep, code))
    return [(code, territory, year, value) for (code, territory, year), value in drawn.values.items()]


def apportioned(total: float, shares: dict[str, float]) -> dict[str, float]:
    """``total`` shared among places in proportion to ``shares`` (summing to 1), in whole counts that
    add up to the rounded total (largest remainders, ties by place code): 210 relogements shared
    among 521 communes still make 210.

    >>> apportioned(40, {"a": 0.75, "b": 0.25})
    {'a': 30.0, 'b': 10.0}
    >>> sum(apportioned(10, {str(i): 1 / 7 for i in range(7)}).values())
    10.0
    """
    exact = {place: total * share for place, share in shares.items()}
    counts = {place: math.floor(value) for place, value in exact.items()}
    left = round(total) - sum(counts.values())
    for place in sorted(exact, key=lambda place: (counts[place] - exact[place], place))[: max(left, 0)]:
        counts[place] += 1
    return {place: float(count) for place, count in counts.items()}


def _own_aims(usage: PlanUsage, departement: str, code: str) -> list[Aim]:
    """The objectives set on the indicator itself that give it a level."""
    return [a for a in usage.aims.get((departement, code), []) if a.ratio is None and a.level is not None]


def _draw_series(drawn: _Values, usage: PlanUsage, dep: str, code: str, shares: dict[str, float], scale: float, first: int) -> None:
    """A table's series, or one around its objective's level, or one from its unit's magnitude."""
    entry = usage.catalogue[code]
    own = _own_aims(usage, dep, code)
    years = range(first, LAST_YEAR + 1)
    table = [round(v * scale) for v in calibration({code: YEARLY_TABLES[code]}, years)[code]] if code in YEARLY_TABLES else None
    tabled = [apportioned(total, shares) for total in table] if table is not None else []
    for territory, share in shares.items():
        aim = _aim_at(own, territory, dep)
        draws = _yearly_draws(f"{code}:{territory}", 1 - SPREAD, 1 + SPREAD)
        chances = _yearly_draws(f"{code}:{territory}:rounding", 0, 1)
        percent = _percent(entry)
        for index, year in enumerate(years):
            if table is not None and (aim is None or year >= YEARS[0] or not aim.start <= year <= aim.end):
                drawn.set(code, territory, dep, year, tabled[index][territory])
                continue
            if aim is not None:
                level = float(aim.level or 0.0) * (share if aim.territory != territory and not percent else 1.0)
                drift = 0.0
            else:
                level = PERCENT_MAGNITUDE if percent else magnitude(entry) * scale * share
                drift = {"higher": DRIFT, "lower": -DRIFT}.get(entry.better, 0.0)
            value = level * (1 + drift) ** (year - YEARS[0]) * _draw(draws, year)
            drawn.set(code, territory, dep, year, _rounded(value, entry, _draw(chances, year)))


def _derive(drawn: _Values, usage: PlanUsage, dep: str, ratio: str, code: str, other: str, shares: dict[str, float], first: int) -> None:
    """``code`` (numerator or denominator of ``ratio``) from ``other`` at the ratio's rate."""
    entry = usage.catalogue[ratio]
    aims = [a for a in usage.aims.get((dep, code), []) if a.ratio == ratio and a.level is not None]
    bounded = _percent(entry) and entry.scale == 100  # a share: the part never exceeds its whole
    for territory, share in shares.items():
        rate = ratio_rate(entry, _aim_at(aims, territory, dep))
        draws = _yearly_draws(f"{code}:{territory}", 1 - SPREAD, 1 + SPREAD)
        chances = _yearly_draws(f"{code}:{territory}:rounding", 0, 1)
        for year in range(first, LAST_YEAR + 1):
            known = drawn.at(other, territory, dep, share, year)
            if code == entry.numerator:
                value = known * rate * _draw(draws, year)
                value = min(value, known) if bounded else value
            else:
                value = known / max(rate * _draw(draws, year), 1e-9)
                value = max(value, known) if bounded else value
            drawn.set(code, territory, dep, year, _rounded(value, usage.catalogue[code], _draw(chances, year)))


def _aim_at(aims: list[Aim], territory: str, departement: str) -> Aim | None:
    """The first of ``aims`` set at ``territory``, else at the département."""
    return next((a for a in aims if a.territory == territory), None) or next((a for a in aims if a.territory == departement), None)


def _yearly_frame(
    conn: Connection, departements: list[str], scale: dict[str, float], firsts: dict[str, int], monthly: pd.DataFrame, communes: Communes
) -> pd.DataFrame:
    """Yearly rows of every stored indicator the plans use that has no monthly series."""
    usage = plan_usage(conn, departements)
    households = dict(conn.execute(select(Territory.code, Territory.households)).all())
    shares = {
        dep: dict(zip(communes.of(dep).codes.astype(str), communes.of(dep).weights.astype(float), strict=True)) for dep in departements
    }
    places = yearly_places(usage, households, skip=set(monthly["indicator_code"].unique()), commune_shares=shares)
    sums = monthly.assign(year=monthly["period_start"].dt.year).groupby(["indicator_code", "dep", "year"], as_index=False)["value"].sum()
    totals = {(str(i), str(d), int(y)): float(v) for i, d, y, v in sums.itertuples(index=False, name=None)}
    rows = yearly_values(usage, places, scale, firsts, totals)
    frame = pd.DataFrame(rows, columns=["indicator_code", "territory_code", "year", "value"]).sort_values(
        ["indicator_code", "territory_code", "year"], ignore_index=True
    )
    # a commune's zero is not stored: within a commune-level series' coverage a missing value counts as zero
    frame = frame[~(frame["territory_code"].isin(set(communes.codes)) & (frame["value"] == 0))].reset_index(drop=True)
    frame["period_start"] = pd.to_datetime(frame.pop("year").astype(str) + "-01-01")
    frame["status"] = _status(frame["period_start"])
    return frame.assign(granularity="year")


def demo_frame(conn: Connection, departements: list[str]) -> pd.DataFrame:
    """All demo observation rows for the given départements (deterministic for a given database)."""
    rng = np.random.default_rng(SEED)
    communes = commune_weights(conn, departements, rng)
    households = dict(conn.execute(select(Territory.code, Territory.households).where(Territory.code.in_(departements))).all())
    scale = {dep: (households.get(dep) or 0) / REFERENCE_HOUSEHOLDS for dep in departements}
    firsts = first_years(conn, departements)
    monthly = _monthly_frame(communes, scale, rng, firsts)
    yearly = _yearly_frame(conn, departements, scale, firsts, monthly, communes)
    return pd.concat([monthly.drop(columns="dep"), yearly], ignore_index=True)


def _without_stored_keys(conn: Connection, frame: pd.DataFrame) -> pd.DataFrame:
    """Drop demo rows whose key already holds a value (imported real data is never overwritten)."""
    from data_access.models import Observation

    key = ["indicator_code", "granularity", "period_start", "territory_code"]
    stored = pd.DataFrame(
        conn.execute(
            select(*[getattr(Observation, c) for c in key]).where(Observation.indicator_code.in_(frame["indicator_code"].unique().tolist()))
        ).all(),
        columns=key,
    )
    if stored.empty:
        return frame
    stored["period_start"] = pd.to_datetime(stored["period_start"])
    merged = frame.merge(stored, on=key, how="left", indicator=True)
    return frame[(merged["_merge"] == "left_only").to_numpy()].reset_index(drop=True)


def _without_real_series(conn: Connection, frame: pd.DataFrame) -> pd.DataFrame:
    """Drop the demo rows of every (indicator, département) that holds imported real values: real
    replaces demo for a whole series, so that no total adds real and fictitious values."""
    real = real_series(conn)
    if not real or frame.empty:
        return frame
    departements = territory_departements(conn)
    pairs = frame["indicator_code"].astype(str) + "|" + frame["territory_code"].map(departements).fillna("").astype(str)
    return frame[~pairs.isin({f"{i}|{d}" for i, d in real}).to_numpy()].reset_index(drop=True)


def seed_demo(conn: Connection) -> int:
    """Generate and store the demo batch for every loaded plan's département; returns the row
    count, or 0 when demo data is already present (nothing is changed then). Keys that already
    hold a value (imported data) are left as they are, and so is every (indicator, département)
    that holds imported values."""
    take_write_lock(conn)
    if demo_batch_ids(conn):
        return 0
    departements = sorted(set(conn.scalars(select(Plan.departement_code))))
    if not departements:
        return 0
    frame = _without_real_series(conn, _without_stored_keys(conn, demo_frame(conn, departements)))
    digest = hashlib.sha256(f"{VERSION}:{SEED}:{','.join(departements)}".encode()).hexdigest()
    batch = create_batch(
        conn,
        kind="demo",
        file_name=DEMO_FILE_NAME,
        sha256=digest,
        rows=len(frame),
        user_name="observatoire",
        source="Données fictives de démonstration",
    )
    count = bulk_insert_observations(conn, frame, batch)
    refresh_coverage(conn, frame["indicator_code"])
    return count


def delete_demo(conn: Connection) -> int:
    """Remove every demo batch and its values; returns the number of values removed."""
    take_write_lock(conn)
    from sqlalchemy import delete

    from data_access.models import Observation

    batches = demo_batch_ids(conn)
    if not batches:
        return 0
    codes = list(conn.scalars(select(Observation.indicator_code).where(Observation.import_batch_id.in_(batches)).distinct()))
    removed = conn.execute(delete(Observation).where(Observation.import_batch_id.in_(batches))).rowcount
    conn.execute(delete(ImportBatch).where(ImportBatch.id.in_(batches)))
    refresh_coverage(conn, codes)
    return int(removed or 0)


# --- real replaces demo ------------------------------------------------------------------------------


def territory_departements(conn: Connection) -> dict[str, str]:
    """Every territory's département (territories without one, such as FR, are left out)."""
    rows = conn.execute(select(Territory.code, Territory.departement_code).where(Territory.departement_code.is_not(None))).all()
    return {str(code): str(dep) for code, dep in rows}


def series_of(conn: Connection, frame: pd.DataFrame) -> set[tuple[str, str]]:
    """The (indicator, département) pairs of the rows of ``frame`` (``indicator_code``, ``territory_code``)."""
    if frame.empty:
        return set()
    departements = territory_departements(conn)
    pairs = frame[["indicator_code", "territory_code"]].drop_duplicates()
    return {(str(i), departements[str(t)]) for i, t in pairs.itertuples(index=False, name=None) if str(t) in departements}


def real_series(conn: Connection) -> set[tuple[str, str]]:
    """The (indicator, département) pairs that hold values of an active import."""
    from data_access.models import Observation

    rows = conn.execute(
        select(Observation.indicator_code, Territory.departement_code)
        .join(Territory, Territory.code == Observation.territory_code)
        .join(ImportBatch, ImportBatch.id == Observation.import_batch_id)
        .where(ImportBatch.kind == "import", ImportBatch.reverted_at.is_(None), Territory.departement_code.is_not(None))
        .distinct()
    ).all()
    return {(str(i), str(d)) for i, d in rows}


def _demo_where(conn: Connection, indicators: Sequence[str] | None, departements: Sequence[str] | None):  # type: ignore[no-untyped-def]
    from sqlalchemy import and_, true

    from data_access.models import Observation

    conditions = [Observation.import_batch_id.in_(demo_batch_ids(conn))]
    if indicators:
        conditions.append(Observation.indicator_code.in_(sorted(set(indicators))))
    if departements:
        places = select(Territory.code).where(Territory.departement_code.in_(sorted(set(departements))))
        conditions.append(Observation.territory_code.in_(places))
    return and_(true(), *conditions)


def count_demo(conn: Connection, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """How many demo values each (indicator, département) of ``pairs`` holds (pairs without any are left out)."""
    from sqlalchemy import func

    from data_access.models import Observation

    if not pairs or not demo_batch_ids(conn):
        return {}
    rows = conn.execute(
        select(Observation.indicator_code, Territory.departement_code, func.count())
        .join(Territory, Territory.code == Observation.territory_code)
        .where(
            _demo_where(conn, sorted({i for i, _ in pairs}), sorted({d for _, d in pairs})),
        )
        .group_by(Observation.indicator_code, Territory.departement_code)
    ).all()
    return {(str(i), str(d)): int(n) for i, d, n in rows if (i, d) in pairs}


def remove_demo(
    conn: Connection,
    *,
    indicators: Sequence[str] | None = None,
    departements: Sequence[str] | None = None,
    pairs: set[tuple[str, str]] | None = None,
    history_batch: int | None = None,
    refresh: bool = True,
) -> dict[tuple[str, str], int]:
    """Remove the demo values of the given indicators and départements (all when None), or of the
    given (indicator, département) ``pairs``; returns the count removed per pair.

    With ``history_batch`` (an import), the removed values are first copied to
    ``observation_history`` under that batch, so that reverting the import restores them. The
    demo batch itself stays (it may still hold other values). ``refresh`` False leaves the
    coverage and rollup to the caller (an import refreshes them once for everything it wrote)."""
    take_write_lock(conn)
    from sqlalchemy import delete, insert, literal, or_

    from data_access.models import Observation, ObservationHistory
    from data_access.writes import OBSERVATION_COLUMNS

    if not demo_batch_ids(conn):
        return {}
    if pairs is not None:
        if not pairs:
            return {}
        by_departement: dict[str, list[str]] = {}
        for indicator, dep in pairs:
            by_departement.setdefault(dep, []).append(indicator)
        where = or_(*(_demo_where(conn, codes, [dep]) for dep, codes in sorted(by_departement.items())))
        counted = count_demo(conn, pairs)
    else:
        where = _demo_where(conn, indicators, departements)
        counted = _counts_where(conn, where)
    if not counted:
        return {}
    if history_batch is not None:
        columns = list(OBSERVATION_COLUMNS)
        conn.execute(
            insert(ObservationHistory).from_select(
                ["batch_id", *columns], select(literal(history_batch), *(getattr(Observation, c) for c in columns)).where(where)
            )
        )
    conn.execute(delete(Observation).where(where))
    if refresh:
        refresh_coverage(conn, sorted({i for i, _ in counted}))
    return counted


def _counts_where(conn: Connection, where) -> dict[tuple[str, str], int]:  # type: ignore[no-untyped-def]
    from sqlalchemy import func

    from data_access.models import Observation

    rows = conn.execute(
        select(Observation.indicator_code, Territory.departement_code, func.count())
        .join(Territory, Territory.code == Observation.territory_code)
        .where(where)
        .group_by(Observation.indicator_code, Territory.departement_code)
    ).all()
    return {(str(i), str(d)): int(n) for i, d, n in rows}


def hand_over_demo(conn: Connection, batch_id: int) -> dict[int, int]:
    """Before import ``batch_id`` is reverted: the demo values it removed or replaced (kept in
    ``observation_history`` under it) whose (indicator, département) series still holds values of
    another active import are not restored — that would mix real and fictitious values again —
    but handed over to the latest such import: their history rows move to it, so that reverting
    that one (the last real values of the series gone) brings them back.

    Returns the count handed over per receiving batch."""
    from sqlalchemy import and_, func, update

    from data_access.models import Observation, ObservationHistory

    h = ObservationHistory
    demo_ids = demo_batch_ids(conn)
    if not demo_ids:
        return {}
    kept = and_(h.batch_id == batch_id, h.import_batch_id.in_(demo_ids))
    pairs = set(
        conn.execute(
            select(h.indicator_code, Territory.departement_code).join(Territory, Territory.code == h.territory_code).where(kept).distinct()
        ).all()
    )
    if not pairs:
        return {}
    holders = conn.execute(
        select(Observation.indicator_code, Territory.departement_code, func.max(Observation.import_batch_id))
        .join(Territory, Territory.code == Observation.territory_code)
        .join(ImportBatch, ImportBatch.id == Observation.import_batch_id)
        .where(
            ImportBatch.kind == "import",
            ImportBatch.reverted_at.is_(None),
            ImportBatch.id != batch_id,
            Observation.indicator_code.in_(sorted({str(i) for i, _ in pairs})),
            Territory.departement_code.in_(sorted({str(d) for _, d in pairs})),
        )
        .group_by(Observation.indicator_code, Territory.departement_code)
    ).all()
    moved: dict[int, int] = {}
    for indicator, departement, receiver in holders:
        if (indicator, departement) not in pairs:
            continue
        places = select(Territory.code).where(Territory.departement_code == departement)
        count = conn.execute(
            update(h).where(kept, h.indicator_code == indicator, h.territory_code.in_(places)).values(batch_id=receiver)
        ).rowcount
        moved[int(receiver)] = moved.get(int(receiver), 0) + int(count or 0)
    return moved
