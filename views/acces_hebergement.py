"""Accès et hébergement : hébergement d'urgence et SIAO, DALO, demande et attributions de logement
social, coupures d'énergie pour impayés — one chart per family, each with its official source."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data_access.vocabulary import PAGE_INFO, Granularity, ObjectiveKind, Page
from figures.trends import trend_figure
from views import common
from views.loader import Loader
from views.model import Chart, View
from views.params import ViewParams

TITLE = PAGE_INFO[Page.ACCES_HEBERGEMENT].page_title
# yearly objectives drawn on a family's chart when the plan sets one on its only indicator
DRAWN_KINDS = (ObjectiveKind.MIN_PER_YEAR, ObjectiveKind.MAX_PER_YEAR)


@dataclass(frozen=True)
class Family:
    """One chart of the page: the counts it draws (one line each, one unit), and the share worked
    out from two of them (a catalogue ratio, recomputed from sums) shown as its key figure."""

    key: str
    title: str
    codes: tuple[str, ...]
    unit: str
    share: str | None = None
    note: str | None = None
    axis: str | None = None  # the y axis' title when the unit is too long for a slide's axis


FAMILIES = (
    Family(
        "acces-115",
        "Hébergement d'urgence : demandes au 115",
        ("demandes_115", "demandes_115_non_pourvues"),
        "demandes par an",
        share="part_demandes_115_non_pourvues",
        note="Une même personne peut adresser plusieurs demandes au 115 : la courbe compte des demandes, non des personnes.",
    ),
    Family(
        "acces-siao",
        "SIAO insertion : demandes et orientations",
        ("demandes_siao_insertion", "orientations_siao"),
        "demandes et orientations par an",
        axis="Nombre par an",
    ),
    Family(
        "acces-places",
        "Places d'hébergement au 31 décembre",
        ("places_hebergement",),
        "places au 31 décembre",
        note="Stock au 31 décembre, non cumulable : chaque point compte les places ouvertes à la fin de l'année ; "
        "la valeur d'une année ne s'additionne pas à celle d'une autre.",
    ),
    Family(
        "acces-sorties",
        "Sorties d'hébergement vers le logement",
        ("sorties_vers_logement",),
        "ménages par an",
    ),
    Family(
        "acces-dalo",
        "DALO : recours, décisions favorables, relogements",
        ("dalo_recours_deposes", "dalo_decisions_favorables", "dalo_relogements"),
        "recours, décisions et ménages par an",
        axis="Nombre par an",
        share="taux_relogement_dalo",
        note="Un ménage relogé une année peut avoir été reconnu prioritaire une année précédente : le taux de relogement "
        "rapporte les relogements de l'année aux décisions favorables de la même année.",
    ),
    Family(
        "acces-logement-social",
        "Logement social : demandes et attributions",
        (
            "demandes_logement_social",
            "attributions_logement_social",
            "attributions_publics_prioritaires",
            "attributions_contingent_prefectoral",
        ),
        "demandes et attributions par an",
        axis="Nombre par an",
        share="part_attributions_publics_prioritaires",
        note="Les attributions à des ménages prioritaires et celles du contingent préfectoral sont comprises dans l'ensemble "
        "des attributions : les courbes ne s'additionnent pas.",
    ),
    Family(
        "acces-energie",
        "Impayés d'énergie : coupures et réductions de puissance",
        ("coupures_impayes_energie", "reductions_puissance"),
        "interventions par an",
        note="Pas de coupure pendant la trêve hivernale (du 1er novembre au 31 mars) ; les réductions de puissance y restent possibles.",
    ),
)
CODES = tuple(code for family in FAMILIES for code in family.codes)
SHARES = tuple(family.share for family in FAMILIES if family.share)


def build(params: ViewParams, loader: Loader) -> View:
    """One chart per family of the page's indicators, each year of the period, against the plan's
    yearly objective when it sets one; each chart's key figure is its last year's share (or value),
    and the view's is the first chart's."""
    filters = common.filters_text(params, granularity=Granularity.YEAR)
    yearly = loader.indicator_series(CODES + SHARES, (params.territory,), params.period, Granularity.YEAR.value)
    if yearly.dropna(subset=["value"]).empty:
        return View(
            Page.ACCES_HEBERGEMENT,
            TITLE,
            filters,
            empty=f"l'accès au logement et l'hébergement à {params.territory_name} sur {params.period.label()}",
        )
    labels = common.labels(loader)
    charts = tuple(_family_chart(params, loader, family, yearly, labels) for family in FAMILIES)
    shown = yearly[yearly["indicator_code"].isin(CODES)]
    return View(
        Page.ACCES_HEBERGEMENT,
        TITLE,
        filters,
        charts,
        # the first slide frames the 115 chart: its own share, not the shares of the other charts
        key_figures=tuple(figure for figure in (charts[0].key_figure,) if figure is not None),
        status=common.objective_status_text(loader, params, CODES),
        source=common.source_line(loader, CODES, params.departement),
        demo=common.is_demo(shown),
        notices=common.secret_notices(loader, params, CODES),
    )


def _family_chart(params: ViewParams, loader: Loader, family: Family, yearly: pd.DataFrame, labels: dict[str, str]) -> Chart:
    """A family's lines over the period, its data table, its source and its key figure."""
    part = yearly[yearly["indicator_code"].isin(family.codes)]
    has_data = not part.dropna(subset=["value"]).empty
    objectives = common.page_objectives(loader, params.plan, family.codes, list(DRAWN_KINDS)).drop_duplicates("indicator_code")
    target = None
    if len(objectives) == 1:
        target, _ = common.objective_targets(loader, params, objectives, Granularity.YEAR.value)[0]
    figure = (
        trend_figure(
            part,
            names={**{code: labels[code] for code in family.codes}, params.territory: params.territory_name},
            unit=family.unit,
            y_title=family.axis,
            objective=target,
            period=(params.period.start, params.period.end),
            presentation=params.presentation,
        )
        if has_data
        else None
    )
    # the key figure: the family's share in its last year, else its first count's
    shown = family.share or family.codes[0]
    return Chart(
        family.key,
        f"{family.title} — {params.territory_name}, {params.period.label()}",
        figure,
        common.series_table(part, Granularity.YEAR, indicators=labels),
        family.unit,
        family.codes,
        common.is_demo(part),
        source=common.source_line(loader, family.codes, params.departement),
        note=family.note,
        key_figure=common.last_value(yearly[yearly["indicator_code"] == shown], labels[shown], "%" if family.share else ""),
        message=None if has_data else "Aucune donnée sur cette période.",
    )
