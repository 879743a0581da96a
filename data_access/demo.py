"""Fictitious demonstration data, generated deterministically (fixed seed), stored as one batch
of kind ``demo`` so that every page can say « Données fictives de démonstration » where it applies.

Monthly commune-level series (2013-01 → 2025-12) for the eviction chain, FSL and signalements, and
yearly series for the pilotage indicators each plan uses, for every loaded plan's département.
Nothing depends on which département it is: every magnitude is written at the scale of Isère's
565 053 households (INSEE RP 2021) and scaled by the département's own households. Magnitudes are
calibrated on real published figures (see ``YEARLY_ISERE``, ``PILOTAGE`` and the README):

- Isère, 2 696 assignations in 2022, about 20 % more than in 2017 (Un Toit Pour Tous);
- national ratios: CQL ≈ 40–45 % of assignations, CFP requested ≈ 75 % of CQL, granted ≈ 60 % of
  requests, effective ≈ 45 % of grants; the 2020 collapse, the 2021 partial recovery, the 2024 rise;
- no effective eviction during the trêve hivernale (1 November – 31 March; extended in 2020–2021);
- FSL charges-courantes requests near 10 248 (6 148 energy) in 2013; SML records near 1 529 a year
  at the start, with insalubrité, non-décence and précarité énergétique near 40, 300 and 650 a year.

Each stage of the eviction chain is drawn as a binomial thinning of the previous one, commune by
commune, so that the chain is never inverted at any level. Communes with no case are not stored:
the series queries count them as zero (see ``data_access.aggregation``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from data_access.models import ActionIndicator, ImportBatch, Indicator, Objective, Plan, Territory, TerritoryMembership
from data_access.vocabulary import TREVE
from data_access.writes import bulk_insert_observations, create_batch, refresh_coverage

SEED = 20140101
VERSION = "demo-v2"  # v2: pilotage generated from the plans' indicators, for any département
YEARS = tuple(range(2013, 2026))
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
# counted where its objectives are set (see ``pilotage_places``). The first five are Isère's plan
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

# Month weights, January first.
SEASON_FLAT = np.array([1.0, 1.05, 1.1, 1.05, 1.0, 1.0, 0.9, 0.55, 1.0, 1.1, 1.1, 0.95])
SEASON_WINTER = np.array([1.5, 1.4, 1.2, 0.9, 0.7, 0.6, 0.6, 0.5, 0.7, 0.9, 1.2, 1.4])
# Months (1-12) in which an eviction may be carried out, per year: the trêve hivernale runs from
# 1 November to 31 March; in 2020 and 2021 it was extended to 10 July and 31 May.
EVICTION_MONTHS = {2020: (7, 8, 9, 10), 2021: (6, 7, 8, 9, 10)}
EVICTION_MONTHS_DEFAULT = tuple(m for m in range(1, 13) if not TREVE.covers(m))  # April to October
EVICTION_MONTH_WEIGHTS = {4: 1.4, 5: 1.3, 6: 1.2, 7: 0.9, 8: 0.6, 9: 1.0, 10: 1.1}
# Average aid amounts in euros (first year) and their yearly drift.
AMOUNTS = {"acces": (520, 0.02), "maintien": (1250, 0.02), "energie": (290, 0.03), "eau": (170, 0.01), "telephone": (85, 0.0)}


@dataclass(frozen=True)
class Communes:
    codes: np.ndarray
    departements: np.ndarray
    weights: np.ndarray  # share of the département's cases, sums to 1 per département


def demo_batch_ids(conn: Connection) -> list[int]:
    return list(conn.scalars(select(ImportBatch.id).where(ImportBatch.kind == "demo", ImportBatch.reverted_at.is_(None))))


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


def _monthly_expectation(communes: Communes, yearly: tuple[float, ...], scale: dict[str, float], season: np.ndarray) -> np.ndarray:
    """Expected monthly counts per commune (rows) and month (columns) from Isère-scale yearly totals."""
    months = []
    for total, year in zip(yearly, YEARS, strict=True):
        profile = season.copy()
        if year == 2020:
            profile[2:5] *= (0.5, 0.1, 0.3)  # courts and services closed in spring 2020
        months.append(profile / profile.sum() * total)
    dep_scale = np.array([scale[d] for d in communes.departements])
    return np.outer(communes.weights * dep_scale, np.concatenate(months))


def _evictions(rng: np.random.Generator, granted: np.ndarray) -> np.ndarray:
    """Effective evictions: 45 % of each commune's yearly grants, carried out outside the trêve."""
    out = np.zeros_like(granted)
    for index, year in enumerate(YEARS):
        block = slice(index * 12, index * 12 + 12)
        yearly = rng.binomial(granted[:, block].sum(axis=1), 0.45)
        months = EVICTION_MONTHS.get(year, EVICTION_MONTHS_DEFAULT)
        weights = np.array([EVICTION_MONTH_WEIGHTS[m] for m in months])
        spread = rng.multinomial(yearly, weights / weights.sum())
        for column, month in enumerate(months):
            out[:, index * 12 + month - 1] = spread[:, column]
    return out


def _amounts(rng: np.random.Generator, households: np.ndarray, aid: str) -> np.ndarray:
    """Aid amounts in euros: a sum of gamma-distributed individual aids around a drifting mean."""
    mean, drift = AMOUNTS[aid]
    means = np.repeat(
        [mean * (1 + drift) ** i * (1.15 if aid == "energie" and y in (2022, 2023) else 1.0) for i, y in enumerate(YEARS)], 12
    )
    shape = 4.0
    draws = rng.gamma(np.maximum(households * shape, 1e-9), np.broadcast_to(means / shape, households.shape))
    return np.where(households > 0, np.round(draws), 0.0)


def monthly_series(communes: Communes, scale: dict[str, float], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Every monthly demo series, as arrays of communes × months (2013-01 … 2025-12)."""
    y = YEARLY_ISERE
    s: dict[str, np.ndarray] = {}

    def poisson(key: str, season: np.ndarray = SEASON_FLAT) -> np.ndarray:
        return rng.poisson(_monthly_expectation(communes, y[key], scale, season)).astype(float)

    s["assignations"] = poisson("assignations")
    s["impayes_signales"] = rng.poisson(2.6 * _monthly_expectation(communes, y["assignations"], scale, SEASON_FLAT)).astype(float)
    s["decisions_expulsion"] = rng.binomial(s["assignations"].astype(int), 0.87).astype(float)
    s["cql"] = rng.binomial(s["decisions_expulsion"].astype(int), 0.49).astype(float)
    s["cfp_demandes"] = rng.binomial(s["cql"].astype(int), 0.75).astype(float)
    grant_rate = np.repeat([0.45 if year in (2020, 2021) else 0.60 for year in YEARS], 12)
    s["cfp_accordes"] = rng.binomial(s["cfp_demandes"].astype(int), grant_rate).astype(float)
    s["expulsions_effectives"] = _evictions(rng, s["cfp_accordes"].astype(int)).astype(float)
    # prevention improves over the plan: more social diagnoses, more households at the hearing
    s["diagnostics_sociaux"] = rng.binomial(s["assignations"].astype(int), np.repeat(np.linspace(0.45, 0.70, len(YEARS)), 12)).astype(float)
    s["menages_presents_audience"] = rng.binomial(s["assignations"].astype(int), np.repeat(np.linspace(0.30, 0.42, len(YEARS)), 12)).astype(
        float
    )
    s["dossiers_ccapex"] = rng.binomial(s["cql"].astype(int), 0.35).astype(float)

    s["fsl_demandes_energie"] = poisson("fsl_demandes_energie", SEASON_WINTER)
    others = poisson("fsl_demandes_autres")
    s["fsl_demandes_charges_courantes"] = s["fsl_demandes_energie"] + others
    s["fsl_energie_menages"] = rng.binomial(s["fsl_demandes_energie"].astype(int), 0.72).astype(float)
    s["fsl_eau_menages"] = rng.binomial(others.astype(int), 0.58).astype(float)
    s["fsl_telephone_menages"] = poisson("fsl_telephone_menages")
    s["fsl_acces_menages"] = poisson("fsl_acces_menages")
    s["fsl_maintien_menages"] = poisson("fsl_maintien_menages")
    for aid in AMOUNTS:
        s[f"fsl_{aid}_montant"] = _amounts(rng, s[f"fsl_{aid}_menages"], aid)
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
    # Histologe (Signal Logement) opened in Isère on 2 January 2023: its own counts start then
    histologe = np.repeat([year >= 2023 for year in YEARS], 12)
    s["signalements_deposes"] = np.where(histologe, s["menages_reperes"], 0.0)
    s["signalements_clotures"] = rng.binomial(s["signalements_deposes"].astype(int), 0.8).astype(float)
    return s


def _long_frame(series: dict[str, np.ndarray], codes: np.ndarray) -> pd.DataFrame:
    """Non-zero monthly values as observation rows (months ≥ 2025-01 are provisional)."""
    periods = pd.date_range(f"{YEARS[0]}-01-01", f"{YEARS[-1]}-12-01", freq="MS")
    frames = []
    for indicator, values in series.items():
        rows, cols = np.nonzero(values)
        frames.append(
            pd.DataFrame(
                {"indicator_code": indicator, "territory_code": codes[rows], "period_start": periods[cols], "value": values[rows, cols]}
            )
        )
    frame = pd.concat(frames, ignore_index=True).assign(granularity="month")
    frame["status"] = np.where(frame["period_start"].dt.year >= YEARS[-1], "provisoire", "définitif")
    return frame


def pilotage_places(conn: Connection, departements: list[str]) -> dict[tuple[str, str], dict[str, float]]:
    """Where each pilotage indicator used by a département's plans is counted, with each place's
    share of the département's value: ``{(département, indicator): {territory: share}}``.

    An indicator is used when a fiche-action lists it or an objective measures it (a ratio brings
    its numerator and denominator). It is counted at the département, unless every objective on it
    names a smaller territory: then at those territories, shared in proportion to their targets
    (Sarthe 2A: 30 on Le Mans Métropole and 10 elsewhere give 75 % and 25 %), or to their
    households when a target is missing.
    """
    in_plans = select(Plan.departement_code).where(Plan.departement_code.in_(departements))
    components = {
        code: [c for c in (numerator, denominator) if c]
        for code, numerator, denominator in conn.execute(select(Indicator.code, Indicator.numerator_code, Indicator.denominator_code))
    }
    used = conn.execute(
        in_plans.add_columns(ActionIndicator.indicator_code).join(ActionIndicator, ActionIndicator.plan_code == Plan.code)
    ).all()
    objectives = conn.execute(
        in_plans.add_columns(Objective.indicator_code, Objective.territory_code, Objective.target_value)
        .join(Objective, Objective.plan_code == Plan.code)
        .where(Objective.indicator_code.is_not(None))
    ).all()
    households = dict(conn.execute(select(Territory.code, Territory.households)).all())
    targets: dict[tuple[str, str], dict[str, float | None]] = {}
    for dep, indicator, territory, target in objectives:
        for code in [indicator, *components.get(indicator, [])]:
            # a ratio's target is a rate, not a count to share
            targets.setdefault((dep, code), {})[territory] = target if code == indicator else None
    keys = {(dep, code) for dep, indicator in used for code in [indicator, *components.get(indicator, [])]} | set(targets)
    places: dict[tuple[str, str], dict[str, float]] = {}
    for dep, code in sorted(keys):
        if code not in PILOTAGE:
            continue
        named = targets.get((dep, code), {})
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


def _pilotage_frame(conn: Connection, departements: list[str], scale: dict[str, float]) -> pd.DataFrame:
    """Yearly pilotage values of the indicators each département's plans use: the département's
    value is the ``PILOTAGE`` magnitude scaled by its households, then shared among the places
    where it is counted (``pilotage_places``)."""
    rows = []
    for (dep, indicator), shares in pilotage_places(conn, departements).items():
        values = [round(v * scale[dep]) for v in PILOTAGE[indicator]]
        for territory, share in shares.items():
            rows += [(indicator, territory, year, round(v * share)) for year, v in zip(YEARS, values, strict=True)]
    frame = pd.DataFrame(rows, columns=["indicator_code", "territory_code", "year", "value"])
    frame["period_start"] = pd.to_datetime(frame.pop("year").astype(str) + "-01-01")
    frame["status"] = np.where(frame["period_start"].dt.year >= YEARS[-1], "provisoire", "définitif")
    return frame.assign(granularity="year")


def demo_frame(conn: Connection, departements: list[str]) -> pd.DataFrame:
    """All demo observation rows for the given départements (deterministic for a given database)."""
    rng = np.random.default_rng(SEED)
    communes = commune_weights(conn, departements, rng)
    households = dict(conn.execute(select(Territory.code, Territory.households).where(Territory.code.in_(departements))).all())
    scale = {dep: (households.get(dep) or 0) / REFERENCE_HOUSEHOLDS for dep in departements}
    monthly = _long_frame(monthly_series(communes, scale, rng), communes.codes)
    return pd.concat([monthly, _pilotage_frame(conn, departements, scale)], ignore_index=True)


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


def seed_demo(conn: Connection) -> int:
    """Generate and store the demo batch for every loaded plan's département; returns the row
    count, or 0 when demo data is already present (nothing is changed then). Keys that already
    hold a value (imported data) are left as they are."""
    if demo_batch_ids(conn):
        return 0
    departements = sorted(set(conn.scalars(select(Plan.departement_code))))
    if not departements:
        return 0
    frame = _without_stored_keys(conn, demo_frame(conn, departements))
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
