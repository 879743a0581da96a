"""Procédure d'expulsion : la chaîne assignations → expulsions effectives, sa saisonnalité, l'activité de la CCAPEX."""

import streamlit as st

from data_access.periods import Period
from figures.chain import chain_funnel
from figures.seasonality import seasonality_heatmap
from figures.trends import trend_figure
from ui import cache, components, filters, frame

view = filters.current()
labels = cache.indicator_catalogue().set_index("code")["label"].to_dict()
st.title("Procédure d'expulsion")
st.caption(f"{view.plan_name} · {view.territory_name} · {view.period.label()}")

chain = cache.eviction_chain(view.territory, view.period)
if chain["value"].isna().all():
    frame.empty_state(f"la procédure d'expulsion à {view.territory_name} sur {view.period.label()}")
    st.stop()
objectives = cache.plan_objectives(view.plan)
ratio = objectives[(objectives["indicator_code"] == "taux_cql_assignations") & (objectives["kind"] == "ratio_max")]
target = float(ratio["target_value"].iloc[0]) if not ratio.empty else None
frame.chart(
    chain_funnel(chain, objective_ratio=target, presentation=view.presentation),
    title=f"De l'assignation à l'expulsion — {view.territory_name}, {view.period.label()}",
    data=chain.rename(columns={"label": "étape", "value": "valeur", "rate_from_previous": "taux depuis l'étape précédente (%)"})[
        ["étape", "valeur", "taux depuis l'étape précédente (%)", "demo"]
    ],
    unit="procédures (taux en % de l'étape précédente)",
    indicators=list(chain["indicator_code"]),
    departement=view.departement,
    demo=chain.attrs["demo"],
    note=f"Objectif du plan : {ratio['label'].iloc[0]}" if target is not None else None,
    key_figure=("Expulsions effectives", components.value_text(chain["value"].iloc[-1])),
)

seasonal = ["expulsions_effectives", "assignations", "cql", "cfp_demandes", "cfp_accordes"]
chosen = filters.url_choices("saisonnalite", seasonal, seasonal[:1])[0]
indicator = st.selectbox("Saisonnalité de", seasonal, index=seasonal.index(chosen), format_func=labels.get)
filters.remember("saisonnalite", [indicator])
monthly = cache.indicator_series((indicator,), (view.territory,), view.period, "month")
if monthly.empty:
    frame.empty_state("des séries mensuelles sur cette période")
else:
    frame.chart(
        seasonality_heatmap(monthly, unit=labels[indicator].split(" (")[0].lower(), presentation=view.presentation),
        title=f"{labels[indicator]} par mois — {view.territory_name}, {view.period.label()}",
        data=monthly[["period_start", "value", "demo"]],
        unit=f"{labels[indicator].lower()} par mois",
        indicators=[indicator],
        departement=view.departement,
        demo=monthly.attrs["demo"],
        note="Aucune expulsion ne peut être exécutée pendant la trêve hivernale (1er novembre – 31 mars), prolongée en 2020 et 2021.",
    )

activity = ("dossiers_ccapex", "diagnostics_sociaux", "menages_presents_audience")
ccapex = cache.indicator_series(activity, (view.territory,), Period.years(view.first_year, view.last_year), "year")
if not ccapex.empty:
    names = {**labels, view.territory: view.territory_name}
    frame.chart(
        trend_figure(ccapex, names=names, unit="dossiers / ménages", presentation=view.presentation),
        title=f"Activité de prévention et de la CCAPEX — {view.territory_name}, {view.period.label()}",
        data=ccapex.assign(indicateur=ccapex["indicator_code"].map(labels))[["indicateur", "period_start", "value", "demo"]],
        unit="dossiers, diagnostics, ménages par an",
        indicators=list(activity),
        departement=view.departement,
        demo=ccapex.attrs["demo"],
        key="ccapex",
    )
