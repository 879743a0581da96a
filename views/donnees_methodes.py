"""Données et méthodes : dictionnaire des indicateurs, historique des chargements, méthodes, sources.

Its slide is the plan's status summary (the key figures, status and filters of the Plan d'action)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data_access.french import MISSING, fr_date, fr_month, fr_period
from data_access.importers.store import BATCH_COLUMNS
from data_access.vocabulary import GRANULARITY_LABELS, PAGE_INFO, STORED_GRANULARITIES, BatchKind, Granularity, Page
from views.loader import Loader
from views.methods import METHODS
from views.model import Table, Text, View
from views.params import ViewParams
from views.plan_action import plan_summary

TITLE = PAGE_INFO[Page.DONNEES_METHODES].page_title
STEPS = {granularity.value: rank for rank, granularity in enumerate(STORED_GRANULARITIES)}  # finest first
BATCH_KINDS = {BatchKind.DEMO: "démonstration", BatchKind.REFERENCE: "référence", BatchKind.IMPORT: "import"}
# the catalogue's themes (data_access.models.THEMES) in words, as the navigation names their pages
THEMES = {
    "expulsions": PAGE_INFO[Page.EXPULSIONS].title,
    "fsl": PAGE_INFO[Page.FSL].title,
    "mal_logement": PAGE_INFO[Page.MAL_LOGEMENT].title,
    "acces_hebergement": PAGE_INFO[Page.ACCES_HEBERGEMENT].title,
    "pilotage": "Pilotage du plan",
    "contexte": "Contexte (population, ménages)",
}
HISTORY_CAPTION = (
    "Chaque chargement (démonstration, référence, import d'un partenaire) est un lot ; "
    "un import peut être annulé depuis la page « Importer des données »."
)
REFERENTIALS = """
| Données | Source | Millésime | Licence |
|---|---|---|---|
| Contours des communes | IGN Admin Express COG (via france-geojson) | 2018 | Licence Ouverte / Etalab |
| Communes → EPCI, population | INSEE, DGCL, Etalab (découpage administratif 6.0.0) | COG 2026, population 2023 | Licence Ouverte 2.0 |
| Communes → territoires du plan | le Département, liste des communes de chaque territoire du plan | ≈ COG 2021 | information publique |
| Ménages, arrondissements | INSEE, recensement de la population 2021 ; COG 2024 | RP 2021 | Licence Ouverte 2.0 |
"""


def build(params: ViewParams, loader: Loader) -> View:
    """The indicator dictionary, the load history, the methods and the referentials (and, for the slide, the plan's statuses)."""
    summary = plan_summary(params, loader)
    return View(
        Page.DONNEES_METHODES,
        TITLE,
        summary.filters,
        (
            Table("dictionnaire-indicateurs", "Dictionnaire des indicateurs", dictionary(loader, params)),
            Table("historique-des-chargements", "Historique des chargements", history(loader), caption=HISTORY_CAPTION),
            Text(METHODS.strip(), heading="Méthodes"),
            Text(REFERENTIALS.strip(), heading="Référentiels géographiques et démographiques"),
        ),
        key_figures=summary.key_figures,
        status=summary.status,
        source=summary.source,
        demo=summary.demo,
    )


def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))  # type: ignore[call-overload]


def _granularities(stored: object) -> str:
    """« month,quarter,year » → « mois, trimestre, année »."""
    words = [part.strip() for part in str(stored or "").split(",") if part.strip()]
    return ", ".join(GRANULARITY_LABELS[Granularity(word)] if word in Granularity._value2member_map_ else word for word in words)


def _span(first: dt.date, last: dt.date, step: float) -> str:
    """« janv. 2013 – déc. 2025 » for a monthly series, « 2021-T1 – 2025-T4 », « 2021 – 2023 » (one period: itself)."""
    granularity = list(STEPS)[int(step)] if step < len(STEPS) else Granularity.YEAR
    start, end = (fr_month(d, short=True) if granularity == Granularity.MONTH else fr_period(d, granularity) for d in (first, last))
    return start if start == end else f"{start} – {end}"


def dictionary(loader: Loader, params: ViewParams) -> pd.DataFrame:
    """Every indicator: label, code, unit, theme, definition, source, granularities, coverage in the département, update."""
    catalogue = loader.indicator_catalogue()
    coverage = loader.coverage(params.departement)
    coverage = coverage.assign(step=coverage["granularity"].map(STEPS).fillna(len(STEPS)))
    span = coverage.groupby("indicator_code").agg(
        first=("first_period", "min"), last=("last_period", "max"), updated=("updated_at", "max"), step=("step", "min")
    )
    table = catalogue.join(span, on="code")
    labels = dict(zip(catalogue["code"], catalogue["label"], strict=True))
    return pd.DataFrame(
        {
            "Indicateur": table["label"],
            "Code": table["code"],
            "Unité": table["unit"],
            "Thème": [THEMES.get(str(theme), str(theme)) for theme in table["theme"]],
            "Définition": table["definition"],
            "Source": table["source"],
            "Granularités": table["granularities"].map(_granularities),
            f"Couverture ({params.departement_name})": [
                "aucune donnée" if _missing(first) else _span(first, last, step)
                for first, last, step in zip(table["first"], table["last"], table["step"], strict=True)
            ],
            "Mise à jour": [MISSING if _missing(day) else fr_date(day) for day in table["updated"]],
            "Ratio de": [
                f"{labels.get(numerator, numerator)} / {labels.get(denominator, denominator)}" if isinstance(numerator, str) else ""
                for numerator, denominator in zip(table["numerator_code"], table["denominator_code"], strict=True)
            ],
        }
    )


def _moment(value: object) -> str:
    """A load's time in French print: « 01/12/2026 09:21 » (« – » when missing)."""
    if _missing(value):
        return MISSING
    moment = pd.Timestamp(value).to_pydatetime()  # type: ignore[arg-type]
    return f"{fr_date(moment)} {moment:%H:%M}" if isinstance(moment, dt.datetime) else fr_date(moment)


def history(loader: Loader) -> pd.DataFrame:
    """Every load, most recent first, its columns and kinds in French (« démonstration »,
    « référence »), its times in French print (« 01/12/2026 08:30 »), its counts as whole numbers
    (« 489 491 » once printed)."""
    batches = loader.import_history().rename(columns=BATCH_COLUMNS)
    shown = batches.assign(
        **{
            "Lot": batches["Lot"].astype(str),
            "Nature": batches["Nature"].map(lambda kind: BATCH_KINDS.get(kind, kind)),
            "Importé le": batches["Importé le"].map(_moment),
            "Annulé le": batches["Annulé le"].map(lambda value: "" if _missing(value) else _moment(value)),
        }
    )
    for column in ("Valeurs", "Nouvelles", "Modifiées", "Inchangées", "Lignes exclues"):
        if column in shown.columns:
            shown[column] = pd.to_numeric(shown[column], errors="coerce").round().astype("Int64")
    if "Indicateurs" in shown.columns:  # « assignations,cql » → their labels
        labels = dict(zip(loader.indicator_catalogue()["code"], loader.indicator_catalogue()["label"], strict=True))
        shown["Indicateurs"] = shown["Indicateurs"].map(
            lambda codes: codes if _missing(codes) else ", ".join(labels.get(code.strip(), code.strip()) for code in str(codes).split(","))
        )
    for column in ("Fichier", "Format", "Par", "Indicateurs"):
        if column in shown.columns:
            shown[column] = shown[column].map(lambda value: MISSING if _missing(value) or value == "" else value)
    return shown
