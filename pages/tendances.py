"""Tendances : un ou plusieurs indicateurs pour un ou plusieurs territoires dans le temps, face à l'objectif."""

import pandas as pd
import streamlit as st

from data_access.objectives import objective_series
from figures.trends import index_figure, trend_figure
from ui import cache, filters, frame

CHAIN = ["assignations", "cql", "cfp_demandes", "cfp_accordes", "expulsions_effectives"]
view = filters.current()
catalogue = cache.indicator_catalogue().set_index("code")
choices = [c for c in catalogue.index if catalogue.loc[c, "theme"] != "contexte"]
labels = catalogue["label"].to_dict()

st.title("Tendances")
left, right = st.columns([3, 2])
indicators = left.multiselect(
    "Indicateurs",
    choices,
    default=filters.url_choices("indicateur", choices, ["assignations"]),
    format_func=labels.get,
    max_selections=4,
    placeholder="Choisir un ou plusieurs indicateurs",
)
others = cache.territories(view.departement, view.level)
extra = right.multiselect(
    "Comparer avec",
    list(others["code"]),
    format_func=dict(zip(others["code"], others["name"], strict=True)).get,
    max_selections=5,
    default=filters.url_choices("avec", list(others["code"]), []),
    placeholder="Autres territoires du niveau choisi",
)
shown = filters.url_choices("departement", ["oui", "non"], ["non" if view.is_departement else "oui"])[0] == "oui"
with_departement = st.checkbox(f"Ajouter {view.departement_name} (département)", value=shown)
filters.remember("indicateur", indicators)
filters.remember("avec", extra)
filters.remember("departement", ["oui" if with_departement else "non"])
if not indicators:
    st.info("Choisissez au moins un indicateur.")
    st.stop()
codes = list(dict.fromkeys([view.territory, *extra, *([view.departement] if with_departement else [])]))
granularities = [g for g in catalogue.loc[indicators, "granularities"].str.split(",").explode().unique()]
granularity = view.granularity if view.granularity.replace("rolling12", "month") in granularities else "year"
series = cache.indicator_series(tuple(indicators), tuple(codes), view.period, granularity)
if series.empty:
    frame.empty_state(f"{', '.join(labels[i] for i in indicators)} sur {view.period.label()}")
    st.stop()
names = {**labels, **dict(zip(others["code"], others["name"], strict=True)), view.departement: view.departement_name, "FR": "France"}
unit = " / ".join(sorted(set(catalogue.loc[indicators, "unit"])))

objectives = cache.plan_objectives(view.plan)
objective = objectives[objectives["indicator_code"] == indicators[0]].head(1)
line, trajectory = (pd.DataFrame(), pd.DataFrame())
if not objective.empty and view.territory == objective["territory_code"].iloc[0]:
    line, trajectory = objective_series(objective.iloc[0], view.period, granularity)
    line = line.assign(label=f"Objectif : {objective['label'].iloc[0]}")
reference = cache.reference_points(tuple(indicators), tuple(codes))
title = f"{', '.join(labels[i] for i in indicators)} — {', '.join(names.get(c, c) for c in codes)}, {view.period.label()}"
figure = trend_figure(
    series,
    names=names,
    unit=unit,
    objective=line if not line.empty else None,
    trajectory=trajectory if not trajectory.empty else None,
    events=cache.events(view.departement),
    reference=reference if not reference.empty else None,
    presentation=view.presentation,
)
plotted = series.assign(indicateur=series["indicator_code"].map(labels), territoire=series["territory_code"].map(names))
frame.chart(
    figure,
    title=title,
    data=plotted[["indicateur", "territoire", "period_start", "value", "complete", "demo"]],
    unit=unit,
    indicators=indicators,
    departement=view.departement,
    demo=series.attrs["demo"],
    key_figure=frame.last_value(
        series[(series["indicator_code"] == indicators[0]) & (series["territory_code"] == view.territory)], labels[indicators[0]], unit
    ),
    note="Objectif du plan ramené au pas de temps affiché ; zones grisées : trêve hivernale (1er novembre – 31 mars)."
    if not line.empty
    else None,
)

chain = [i for i in indicators if i in CHAIN]
if chain:
    st.subheader("Comparaison avec la France (indice base 100)")
    national = cache.indicator_series(tuple(chain), (view.territory, "FR"), view.period, "year")
    common = national.groupby("period_start")["territory_code"].nunique()
    years = [d for d, n in common.items() if n == 2]
    if not years:
        st.info("Pas d'année commune avec la série nationale publiée sur cette période (la série nationale a des lacunes).")
    else:
        base = years[0].year
        figure = index_figure(national, base_year=base, names=names, presentation=view.presentation)
        frame.chart(
            figure,
            title=f"{', '.join(labels[i] for i in chain)} : {view.territory_name} et France, indice base 100 en {base}",
            data=national,
            unit=f"indice base 100 en {base}",
            indicators=chain,
            departement=view.departement,
            demo=national.attrs["demo"],
            key="index-france",
        )
