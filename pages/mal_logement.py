"""Mal-logement : signalements par type face aux objectifs annuels, du repérage au traitement, carte par territoire."""

import pandas as pd
import streamlit as st

from data_access.objectives import objective_series
from figures.trends import trend_figure
from geo.maps import choropleth
from ui import cache, filters, frame, maps

TYPES = ("signalements_insalubrite", "signalements_non_decence", "signalements_precarite_energetique")
TREATMENT = ("menages_reperes", "decisions_travaux", "arretes_insalubrite", "levees_insalubrite", "logements_sortis_indignite")
view = filters.current()
labels = cache.indicator_catalogue().set_index("code")["label"].to_dict()
names = {**labels, view.territory: view.territory_name}
st.title("Mal-logement")
st.caption(f"{view.plan_name} · {view.territory_name} · {view.period.label()}")

objectives = cache.plan_objectives(view.plan)
yearly = cache.indicator_series(TYPES + ("logements_sortis_indignite",), (view.territory,), view.period, "year")
if yearly.empty:
    frame.empty_state(f"les signalements à {view.territory_name}")
    st.stop()
for indicator in [*TYPES, "logements_sortis_indignite"]:
    own = objectives[(objectives["indicator_code"] == indicator) & (objectives["kind"] == "min_per_year")]
    if own.empty and indicator == "logements_sortis_indignite":
        continue
    series = yearly[yearly["indicator_code"] == indicator]
    line = None
    if not own.empty and view.is_departement:
        line, _ = objective_series(own.iloc[0], view.period, "year")
        line = line.assign(label=f"Objectif : {own['label'].iloc[0]}")
    frame.chart(
        trend_figure(series, names=names, unit="situations par an", objective=line, presentation=view.presentation),
        title=f"{labels[indicator]} — {view.territory_name}, {view.period.label()}",
        data=series[["period_start", "value", "complete", "demo"]],
        unit="situations par an",
        indicators=[indicator],
        departement=view.departement,
        demo=series.attrs.get("demo", bool(series["demo"].any())),
        key=f"ml-{indicator}",
        key_figure=frame.last_value(series, labels[indicator].split(" ")[0], ""),
        note=None
        if line is None
        else "Objectif annuel du plan (Anah, PIG « Sortir du mal logement »)."
        if view.plan.startswith("isere")
        else None,
    )

st.subheader("Du repérage au traitement")
treatment = cache.indicator_series(TREATMENT, (view.territory,), view.period, "total")
if treatment.empty:
    frame.empty_state("le traitement des situations repérées")
else:
    first = treatment.set_index("indicator_code")["value"]
    steps = pd.DataFrame({"étape": [labels[c] for c in first.index], "valeur": first.to_numpy()})
    if "menages_reperes" in first.index and first["menages_reperes"]:
        steps["pour 100 ménages repérés"] = (100 * steps["valeur"] / first["menages_reperes"]).round(1)
    st.dataframe(steps, hide_index=True, width="stretch")
    st.caption("Taux de concrétisation entre repérage et traitement, sur toute la période choisie.")

values = cache.level_values("menages_reperes", view.level, view.departement, view.period)
layer, message = maps.layer_or_message(view.departement, view.level)
if message:
    maps.unavailable(message)
elif not values["value"].isna().all():
    title = f"Ménages repérés pour 1 000 ménages — {filters.LEVELS[view.level]}, {view.period.label()}"
    figure = maps.figure_or_none(
        lambda: choropleth(
            layer,
            values,
            value_column="rate",
            unit="pour 1 000 ménages",
            title=title,
            indicator_label=labels["menages_reperes"],
            selected=None if view.is_departement else view.territory,
            labels=view.level == "territoire",
            outline=maps.outline(view.departement) if view.level == "commune" else None,
            presentation=view.presentation,
        )
    )
    frame.chart(
        figure,
        title=title,
        data=values[["name", "value", "households", "rate", "rank", "demo"]],
        unit="pour 1 000 ménages",
        indicators=["menages_reperes"],
        departement=view.departement,
        demo=values.attrs["demo"],
        key="ml-map",
    )
