"""Aides FSL : ménages aidés et montants par type d'aide, montant moyen, demandes face à l'objectif du plan."""

import streamlit as st

from data_access.objectives import objective_series
from figures.aids import aid_bars
from figures.ranking import ranking_bar
from figures.trends import trend_figure
from ui import cache, filters, frame

TYPES = ("acces", "maintien", "energie", "eau", "telephone")
view = filters.current()
labels = cache.indicator_catalogue().set_index("code")["label"].to_dict()
names = {**labels, view.territory: view.territory_name}
st.title("Aides du Fonds de solidarité logement")
st.caption(f"{view.plan_name} · {view.territory_name} · {view.period.label()}")

households = tuple(f"fsl_{t}_menages" for t in TYPES)
amounts = tuple(f"fsl_{t}_montant" for t in TYPES)
averages = tuple(f"fsl_{t}_montant_moyen" for t in TYPES)
yearly = cache.indicator_series(households + amounts + averages, (view.territory,), view.period, "year")
if yearly.empty:
    frame.empty_state(f"les aides FSL à {view.territory_name}")
    st.stop()
for codes, unit, what in (
    (households, "ménages aidés", "Ménages aidés"),
    (amounts, "euros", "Montants versés"),
    (averages, "euros par ménage aidé", "Montant moyen par ménage aidé"),
):
    part = yearly[yearly["indicator_code"].isin(codes)]
    figure = (
        aid_bars(part, names=labels, unit=unit, presentation=view.presentation)
        if codes != averages
        else trend_figure(part, names=names, unit=unit, presentation=view.presentation)
    )
    frame.chart(
        figure,
        title=f"{what} par type d'aide — {view.territory_name}, {view.period.label()}",
        data=part.assign(aide=part["indicator_code"].map(labels))[["aide", "period_start", "value", "demo"]],
        unit=unit,
        indicators=list(codes),
        departement=view.departement,
        demo=bool(part["demo"].any()),
        key=f"fsl-{what}",
        key_figure=frame.last_value(part, what, "€" if codes == amounts else ""),
    )

requests = ("fsl_demandes_charges_courantes", "fsl_demandes_energie")
demandes = cache.indicator_series(requests, (view.territory,), view.period, "year")
objectives = cache.plan_objectives(view.plan)
objective = objectives[objectives["indicator_code"] == "fsl_demandes_charges_courantes"]
line = None
if not objective.empty and view.is_departement:
    line, _ = objective_series(objective.iloc[0], view.period, "year")
    line = line.assign(label="Objectif : rester sous la référence de 10 248 demandes")
frame.chart(
    trend_figure(demandes, names=names, unit="demandes", objective=line, presentation=view.presentation),
    title=f"Demandes d'aide pour charges courantes — {view.territory_name}, {view.period.label()}",
    data=demandes.assign(indicateur=demandes["indicator_code"].map(labels))[["indicateur", "period_start", "value", "demo"]],
    unit="demandes par an",
    indicators=list(requests),
    departement=view.departement,
    demo=demandes.attrs["demo"],
    note=f"Objectif du plan : {objective['label'].iloc[0]}" if not objective.empty else None,
)

values = cache.level_values("fsl_energie_menages", view.level, view.departement, view.period)
frame.chart(
    ranking_bar(
        values,
        value_column="rate",
        unit="ménages aidés pour 1 000 ménages",
        selected=view.territory,
        departement_value=None,
        presentation=view.presentation,
    ),
    title=f"Aides FSL énergie pour 1 000 ménages par territoire — {view.period.label()}",
    data=values[["name", "value", "households", "rate", "rank", "demo"]],
    unit="ménages aidés pour 1 000 ménages",
    indicators=["fsl_energie_menages"],
    departement=view.departement,
    demo=values.attrs["demo"],
    key="fsl-ranking",
)
