"""Comparer les territoires : carte, classement, petites courbes et écart à l'objectif au prorata."""

import streamlit as st

from data_access.french import fr_number
from figures.ranking import gap_to_objective_bar, ranking_bar
from figures.small_multiples import small_multiples
from geo.maps import choropleth
from ui import cache, filters, frame, maps

view = filters.current()
catalogue = cache.indicator_catalogue().set_index("code")
choices = [c for c in catalogue.index if catalogue.loc[c, "theme"] not in ("contexte",)]
labels = catalogue["label"].to_dict()
st.title("Comparer les territoires")
left, right = st.columns([3, 2])
indicator = left.selectbox(
    "Indicateur", choices, index=choices.index(filters.url_choices("indicateur", choices, ["assignations"])[0]), format_func=labels.get
)
filters.remember("indicateur", [indicator])
unit = catalogue.loc[indicator, "unit"]
is_ratio = isinstance(catalogue.loc[indicator, "numerator_code"], str)
modes = (
    {"value": f"Valeur ({unit})"}
    if is_ratio
    else {"rate": "Pour 1 000 ménages", "value": f"Valeur ({unit})", "per_inhabitants": "Pour 1 000 habitants"}
)
default_mode = filters.url_choices("affichage", list(modes), [next(iter(modes))])[0]
mode = right.radio("Afficher", list(modes), index=list(modes).index(default_mode), format_func=modes.get, horizontal=True)
filters.remember("affichage", [mode])
values = cache.level_values(indicator, view.level, view.departement, view.period)
if values["value"].isna().all():
    frame.empty_state(f"{labels[indicator]} au niveau choisi sur {view.period.label()}")
    st.stop()
values = values.assign(per_inhabitants=values["value"] / values["population"].where(values["population"] > 0) * 1000)
shown_unit = {"rate": "pour 1 000 ménages", "per_inhabitants": "pour 1 000 habitants"}.get(mode, unit)
dep_reference = values.attrs[
    {"value": "departement_value", "rate": "departement_rate", "per_inhabitants": "departement_per_inhabitants"}[mode]
]
title = f"{labels[indicator]} ({shown_unit}) par {filters.LEVELS[view.level].lower().rstrip('s')} — {view.period.label()}"
table = values[["name", "value", "households", "population", "rate", "per_inhabitants", "rank", "demo"]]

layer, message = maps.layer_or_message(view.departement, view.level)
if message:
    maps.unavailable(message)
else:
    figure = maps.figure_or_none(
        lambda: choropleth(
            layer,
            values,
            value_column=mode,
            unit=shown_unit if mode != "value" else (unit if unit in ("%", "€") else ""),
            title=title,
            indicator_label=labels[indicator],
            selected=None if view.is_departement else view.territory,
            departement_value=dep_reference,
            departement_name=view.departement_name,
            labels=view.level == "territoire",
            outline=maps.outline(view.departement) if view.level == "commune" else None,
            presentation=view.presentation,
        )
    )
    frame.chart(
        figure,
        title=title,
        data=table,
        unit=shown_unit,
        indicators=[indicator],
        departement=view.departement,
        demo=values.attrs["demo"],
        key="map",
        key_figure=(view.departement_name, "–" if dep_reference is None else fr_number(dep_reference, 0 if mode == "value" else 1)),
    )

frame.chart(
    ranking_bar(
        values,
        value_column=mode,
        unit=shown_unit,
        selected=None if view.is_departement else view.territory,
        departement_value=dep_reference,
        departement_label=view.departement_name,
        presentation=view.presentation,
    ),
    title=f"Classement — {title}",
    data=table.sort_values("rank"),
    unit=shown_unit,
    indicators=[indicator],
    departement=view.departement,
    demo=values.attrs["demo"],
    key="ranking",
)

if view.level in ("territoire", "arrondissement"):
    codes = tuple(values["territory_code"])
    series = cache.indicator_series((indicator,), codes, view.period, "year")
    names = dict(zip(values["territory_code"], values["name"], strict=True))
    frame.chart(
        small_multiples(series, names=names, unit=unit, presentation=view.presentation),
        title=f"{labels[indicator]} par année et par territoire (même échelle) — {view.period.label()}",
        data=series.assign(territoire=series["territory_code"].map(names))[["territoire", "period_start", "value", "demo"]],
        unit=unit,
        indicators=[indicator],
        departement=view.departement,
        demo=series.attrs["demo"],
        key="multiples",
    )

objectives = cache.plan_objectives(view.plan)
objective = objectives[
    (objectives["indicator_code"] == indicator)
    & (objectives["territory_code"] == view.departement)
    & objectives["kind"].isin(["min_per_year", "max_per_year"])
]
if not objective.empty and view.first_year == view.last_year:
    target = float(objective["target_value"].iloc[0])
    share = values["households"] / float(values["households"].sum())
    gaps = values.assign(target=target * share)[["territory_code", "name", "value", "target"]]
    frame.chart(
        gap_to_objective_bar(gaps, presentation=view.presentation),
        title=f"Écart à l'objectif au prorata des ménages — {objective['label'].iloc[0]}, {view.period.label()}",
        data=gaps,
        unit="% d'écart à la cible au prorata",
        indicators=[indicator],
        departement=view.departement,
        demo=values.attrs["demo"],
        key="gaps",
    )
elif not objective.empty:
    st.caption("Choisissez une seule année pour voir l'écart de chaque territoire à l'objectif annuel au prorata.")
