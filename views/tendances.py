"""Tendances : un ou plusieurs indicateurs pour un ou plusieurs territoires dans le temps, face à l'objectif."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from data_access.french import fr_value
from data_access.queries import EVICTION_CHAIN
from data_access.vocabulary import PAGE_INFO, TREVE, Granularity, Page
from figures.events import treve_applies
from figures.trends import drawn_reference, index_figure, trend_figure
from views import common, secret
from views.loader import Loader
from views.model import Block, Chart, KeyFigure, Text, View
from views.params import ViewParams

DEFAULT_INDICATOR = "assignations"
MAX_INDICATORS = 4
MAX_COMPARED = 5
TITLE = PAGE_INFO[Page.TENDANCES].page_title


def chosen_indicators(params: ViewParams, choices: dict[str, str]) -> list[str]:
    """The URL's indicators that may be charted, at most four; the default when none is valid."""
    return [code for code in params.indicators if code in choices][:MAX_INDICATORS] or [DEFAULT_INDICATOR]


def with_departement(params: ViewParams) -> bool:
    """Whether the département's line is drawn: as chosen, else whenever the territory is not the département."""
    return params.with_departement if params.with_departement is not None else not params.is_departement


def shown_granularity(params: ViewParams, granularities: set[str]) -> Granularity:
    """The chosen time step when every chosen indicator is stored at it (rolling sums need months), else years."""
    wanted = Granularity.MONTH if params.granularity == Granularity.ROLLING12 else params.granularity
    return params.granularity if wanted in granularities else Granularity.YEAR


def build(params: ViewParams, loader: Loader) -> View:
    """The Tendances view: one chart of the chosen indicators per territory, and the France index."""
    choices = common.chart_indicators(loader)
    indicators = chosen_indicators(params, choices)
    notices = tuple(f"Indicateur « {code[:40]} » inconnu : ignoré." for code in params.indicators if code not in choices)
    catalogue = common.catalogue(loader)
    territories = loader.territories(params.departement, params.level.value)
    names = {**choices, **common.names_of(params, territories)}
    compared = [c for c in params.compared if c in names][:MAX_COMPARED]
    codes = list(dict.fromkeys([params.territory, *compared, *([params.departement] if with_departement(params) else [])]))
    granularities = set(",".join(catalogue.loc[indicators, "granularities"].astype(str)).split(","))
    granularity = shown_granularity(params, granularities)
    title = f"{', '.join(choices[i] for i in indicators)} — {', '.join(names.get(c, c) for c in codes)}, {params.period.label()}"
    filters = common.filters_text(params, granularity=granularity)
    series = loader.indicator_series(tuple(indicators), tuple(codes), params.period, granularity.value)
    if series.empty:
        return View(
            Page.TENDANCES,
            TITLE,
            filters,
            notices=notices,
            empty=f"{', '.join(choices[i] for i in indicators)} sur {params.period.label()}",
        )
    unit = " / ".join(sorted(set(catalogue.loc[indicators, "unit"].astype(str))))
    # the first indicator's objective: one target zone per chart, so that its verdict reads on its line
    objective = common.page_objectives(loader, params.plan, indicators[:1])
    drawn = [pair for pair in common.objective_targets(loader, params, objective, granularity.value) if pair[0] is not None]
    target, trajectory = drawn[0] if drawn else (None, None)
    period = (params.period.start, params.period.end)
    # the published points the chart draws: of its lines, its granularity, within the chosen period
    reference = drawn_reference(loader.reference_points(tuple(indicators), tuple(codes)), series, period=period)
    treve = treve_applies(indicators)  # the trêve hivernale only where it bears: the eviction procedure
    figure = trend_figure(
        series,
        names=names,
        unit=unit,
        objective=target,
        trajectory=trajectory,
        events=loader.events(params.departement),
        treve=treve,
        reference=reference if not reference.empty else None,
        roles=common.roles_of(params),
        period=period,
        presentation=params.presentation,
    )
    plotted = common.series_table(series, granularity, indicators=names, territories=names)
    # value by value, what the secret statistique does to it (« total minimal », « s »…)
    cells = loader.secret_cells(tuple(indicators), tuple(codes), params.period, granularity.value)
    plotted = secret.mark_series_table(plotted, series, cells, common.REMARK_HEADER)
    first = series[(series["indicator_code"] == indicators[0]) & (series["territory_code"] == params.territory)]
    first_unit = str(catalogue.at[indicators[0], "unit"])
    key_figure = common.last_value(first, choices[indicators[0]].split(" (")[0], first_unit)
    source = common.source_line(loader, indicators, params.departement)
    chart_source = credited(source, extra=[f"repères publiés : {publishers(reference['source'])}"] if not reference.empty else [])
    parts = []
    if target is not None:
        parts.append("Objectif du plan ramené au pas de temps affiché ; zone verte : où il est atteint")
    if treve and granularity != Granularity.YEAR:
        parts.append(f"zones grisées : trêve hivernale ({TREVE.text})")
    words = " ; ".join(parts)
    note = f"{words[0].upper()}{words[1:]}." if words else None
    # secret statistique: the sums leave out the values the partner did not publish, and say so
    secrets = loader.secret_counts(tuple(indicators), tuple(codes), params.period)
    secret_note = secret.series_note(secrets, names)
    note = " ".join(n for n in (note, secret_note) if n) or None
    blocks: list[Block] = [
        Chart(
            "tendances",
            title,
            figure,
            plotted,
            unit,
            tuple(indicators),
            common.is_demo(series),
            source=chart_source,
            note=note,
            key_figure=key_figure,
        )
    ]
    blocks.extend(_france_index(params, loader, indicators, names))
    key_figures = common.last_and_change(first, choices[indicators[0]].split(" (")[0], first_unit)
    # a period total means nothing for a share nor for a stock at a date (places au 31 décembre)
    if not first.empty and first_unit != "%" and not bool(catalogue.at[indicators[0], "stock"]):
        total = fr_value(float(first["value"].sum()), first_unit)
        # a lower bound when secret cells of its indicator and territory are left out
        own = loader.secret_counts(tuple(indicators[:1]), (params.territory,), params.period) if not secrets.empty else secrets
        sign = secret.bound_sign(int(own["n_secret"].sum()), int(own["n_secret_denominator"].sum()))
        key_figures.append(KeyFigure(f"Total {params.period.label()}", f"{sign} {total}" if sign else total))
    return View(
        Page.TENDANCES,
        TITLE,
        filters,
        tuple(blocks),
        key_figures=tuple(key_figures),
        status=common.objective_status_text(loader, params, indicators[:1]),
        source=source,
        demo=common.is_demo(series),
        notices=notices,
    )


UPDATED = " · Mise à jour : "


def credited(source: str, *, own: str | None = None, extra: Sequence[str] = ()) -> str:
    """A chart's source line (``common.source_line``) crediting what it draws besides its own data:
    « Source : Préfecture (EXPLOC) pour Isère ; France : Ministère de la Justice · Mise à jour : … »
    (``own`` names whose data the catalogue's source is, ``extra`` the other sources, in order)."""
    head, sep, updated = source.partition(UPDATED)
    if own:
        head += f" pour {own}"
    head += "".join(f" ; {part}" for part in extra if part)
    return head + sep + updated


def publishers(sources: Iterable[object]) -> str:
    """The publishers of published figures, once each, in order: « Ministère de la Justice, cité par
    Fondation Abbé Pierre, rapport 2011, tableau 22 » → « Ministère de la Justice » (each figure's
    full source is in its hover and in the chart's data)."""
    names: list[str] = []
    for source in sources:
        if not isinstance(source, str) or not source.strip():
            continue
        name = source.split(" ; ")[0].split(" : ")[0].split(",")[0].strip()
        if name and name not in names:
            names.append(name)
    return ", ".join(names) if names else "publication non précisée"


def base_year(series: pd.DataFrame) -> int | None:
    """The first year in which every (indicator, territory) line of ``series`` has a non-zero value."""
    years = series.assign(year=[d.year for d in series["period_start"]])
    years = years[years["value"].fillna(0) != 0]
    lines = series[["indicator_code", "territory_code"]].drop_duplicates()
    per_line = years.groupby(["indicator_code", "territory_code"])["year"].apply(set)
    if len(per_line) < len(lines):
        return None
    common_years = set.intersection(*per_line.tolist()) if len(per_line) else set()
    return min(common_years) if common_years else None


def _france_index(params: ViewParams, loader: Loader, indicators: list[str], names: dict[str, str]) -> list[Block]:
    """The eviction-chain indicators of the view against France, as an index (base 100 in the first common year).

    France's published series have gaps: an indicator without a common year with France is left
    out, and said so."""
    chain = [i for i in indicators if i in EVICTION_CHAIN]
    if not chain:
        return []
    national = loader.indicator_series(tuple(chain), (params.territory, "FR"), params.period, Granularity.YEAR.value)
    kept = [code for code in chain if base_year(national[national["indicator_code"] == code]) is not None and _has_both(national, code)]
    left_out = [names.get(code, code) for code in chain if code not in kept]
    heading = "Comparaison avec la France (indice base 100)"
    if not kept:
        return [
            Text(
                "Pas d'année commune avec la série nationale publiée sur cette période (la série nationale a des lacunes).", heading=heading
            )
        ]
    shown = national[national["indicator_code"].isin(kept)]
    base = base_year(shown)
    if base is None:  # each indicator has common years, but not the same ones: the first indicator alone
        kept = kept[:1]
        shown = national[national["indicator_code"].isin(kept)]
        base = base_year(shown)
        left_out = [names.get(code, code) for code in chain if code not in kept]
    assert base is not None
    period = (params.period.start, params.period.end)
    figure = index_figure(
        shown, base_year=base, names=names, roles=common.roles_of(params), period=period, presentation=params.presentation
    )
    # France's series is a published one: each of its years credited to its publication
    published = loader.reference_points(tuple(kept), ("FR",))
    published = published.assign(period_start=pd.to_datetime(published["period_start"]).dt.date)
    national_sources = dict(zip(zip(published["indicator_code"], published["period_start"], strict=True), published["source"], strict=True))
    own_sources = common.catalogue(loader)["source"]
    data = common.series_table(shown, Granularity.YEAR, indicators=names, territories=names)
    data["Source"] = [
        national_sources.get((indicator, day), "publication nationale") if territory == "FR" else str(own_sources.get(indicator, ""))
        for indicator, territory, day in zip(shown["indicator_code"], shown["territory_code"], shown["period_start"], strict=True)
    ]
    france = [
        source for key, source in national_sources.items() if key in set(zip(shown["indicator_code"], shown["period_start"], strict=True))
    ]
    notes = []
    if left_out:
        notes.append(f"Sans année commune avec la série nationale : {', '.join(left_out)}.")
    if _has_gaps(shown[shown["territory_code"] == "FR"]):
        notes.append("La série nationale publiée a des années manquantes : la ligne s'interrompt sur chacune.")
    note = " ".join(notes) or None
    return [
        Chart(
            "index-france",
            f"{', '.join(names[i] for i in kept)} : {params.territory_name} et France, indice base 100 en {base}",
            figure,
            data,
            f"indice base 100 en {base}",
            tuple(kept),
            common.is_demo(shown),
            source=credited(
                common.source_line(loader, kept, params.departement), own=params.territory_name, extra=[f"France : {publishers(france)}"]
            ),
            note=note,
        )
    ]


def _has_both(national: pd.DataFrame, code: str) -> bool:
    return national.loc[national["indicator_code"] == code, "territory_code"].nunique() == 2


def _has_gaps(series: pd.DataFrame) -> bool:
    """Whether a yearly line of ``series`` misses a year between its first and its last."""
    for _, line in series.groupby("indicator_code"):
        years = sorted({day.year for day in line["period_start"]})
        if years and len(years) < years[-1] - years[0] + 1:
            return True
    return False
