"""Plan d'action : chantiers / orientations → fiches-action, avec objectifs, indicateurs et statuts.

La version écran du bilan annuel d'activité du plan."""

import pandas as pd
import streamlit as st

from data_access.periods import Period
from ui import cache, components, filters

view = filters.current()
year = cache.latest_complete_year(view.plan) or view.last_year
structure = cache.plan_structure(view.plan)
statuses = cache.objective_status_table(view.plan, year, None)
links = cache.action_indicators(view.plan)
labels = cache.indicator_catalogue().set_index("code")["label"].to_dict()
series = cache.indicator_series(tuple(sorted(set(links["indicator_code"]))), (view.departement,), Period.years(year - 5, year), "year")

st.title("Plan d'action")
st.caption(f"{view.plan_name} · statuts {year} · {view.departement_name}")
axis_word = "Chantiers" if structure.empty or view.plan.startswith("isere") else "Orientations"
left, right = st.columns(2)
axes = list(dict.fromkeys(structure["axis_code"]))
titles = dict(zip(structure["axis_code"], structure["axis_title"], strict=False))
statuses_all = list(components.STATUS_SYMBOLS)
chosen_axes = left.multiselect(
    axis_word, axes, default=filters.url_choices("axes", axes, axes), format_func=lambda a: f"{a}. {titles[a]}", placeholder="Choisir…"
)
chosen_status = right.multiselect(
    "Statut des objectifs", statuses_all, default=filters.url_choices("statuts", statuses_all, statuses_all), placeholder="Choisir…"
)
filters.remember("axes", chosen_axes if chosen_axes != axes else [])
filters.remember("statuts", chosen_status if chosen_status != statuses_all else [])
if series.attrs.get("demo") or statuses["demo"].any():
    st.markdown(":orange-badge[⚠ Données fictives de démonstration]")


def _texts(action: pd.Series) -> None:
    for label, column in (("Description", "description"), ("Objectif", "objective"), ("Objectif quantifié", "quantified_objective")):
        if isinstance(action[column], str) and action[column]:
            st.markdown(f"**{label}.** {action[column]}")
    evaluation = [
        (k, action[c])
        for k, c in (("Effectivité", "evaluation_effectivite"), ("Efficacité", "evaluation_efficacite"), ("Impact", "evaluation_impact"))
        if isinstance(action[c], str)
    ]
    for label, text in evaluation:
        st.markdown(f"**Indicateur d'{label.lower()}.** {text}")
    if isinstance(action["evaluation_text"], str):
        st.markdown(f"**Indicateurs d'évaluation.** {action['evaluation_text']}")
    for label, column in (("Responsable", "responsible"), ("Partenaires", "partners"), ("Coût indicatif", "cost")):
        if isinstance(action[column], str) and action[column]:
            st.caption(f"{label} : {action[column]}")


for axis_code in chosen_axes:
    actions = structure[structure["axis_code"] == axis_code]
    st.subheader(f"{axis_code}. {titles[axis_code]}")
    if isinstance(actions["axis_objective"].iloc[0], str):
        st.caption(actions["axis_objective"].iloc[0])
    for action in actions.to_dict("records"):
        own = statuses[statuses["action_code"] == action["code"]]
        if not own.empty and not own["status"].isin(chosen_status).any():
            continue
        badges = " ".join(components.STATUS_SYMBOLS[s] for s in own["status"])
        with st.expander(f"**{action['code']}** — {action['title']}  {badges}"):
            _texts(pd.Series(action))
            for objective in own.itertuples():
                date = f" — réalisé le {objective.achieved_on:%d/%m/%Y}" if pd.notna(objective.achieved_on) else ""
                st.markdown(
                    f"{components.status_badge(objective.status)} {objective.label} · valeur {year} : {components.value_text(objective.value)}{date}"
                )
            # one table per action, its sparklines drawn by the table itself: 25 Plotly charts
            # here made the page too slow to rerun at once (see benchmarks/)
            codes = links.loc[links["action_code"] == action["code"], "indicator_code"].tolist()
            if codes:
                st.dataframe(
                    components.indicator_trend_table(codes, series, labels, year),
                    hide_index=True,
                    column_config={"Évolution": st.column_config.LineChartColumn(f"{year - 5}–{year}", y_min=0)},
                    key=f"indicateurs-{action['code']}",
                )
