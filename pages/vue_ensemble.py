"""Vue d'ensemble : la dernière année complète en un coup d'œil — familles, points d'attention, objectifs."""

import streamlit as st

from ui import cache, components, filters, frame
from ui.frame import DEMO_NOTICE

view = filters.current()
year = cache.latest_complete_year(view.plan)
st.title("Vue d'ensemble")
if year is None:
    st.info("Aucune année complète dans la base. Lancez « make run » (données de démonstration) ou importez un fichier.")
    st.stop()
territory = None if view.is_departement else view.territory
st.caption(f"{view.plan_name} · {view.territory_name} · dernière année complète : **{year}**")

tiles = cache.family_tiles(view.territory, year)
objectives = cache.family_objectives(view.plan, year, territory)
if tiles["demo"].any() or objectives["demo"].any():
    st.markdown(f":orange-badge[⚠ {DEMO_NOTICE}]")
for column, (family, parts) in zip(st.columns(4), tiles.groupby("family", sort=False), strict=True):
    with column:
        components.family_tile(parts, objectives[objectives["family"] == family], year)

st.subheader(f"Points d'attention {year}")
points = cache.attention_points(view.departement, year)
if points.empty:
    st.info("Aucun mouvement marqué par rapport aux trois années précédentes.")
for sentence in points["sentence"]:
    st.markdown(f"- {sentence}")
st.caption(
    "Territoires et indicateurs qui s'écartent le plus de leur moyenne des trois années précédentes (séries d'au moins 15 cas par an)."
)

st.subheader(f"Objectifs du plan : statut {year}" + (f" — {view.territory_name} (au prorata des ménages)" if territory else ""))
labels = cache.indicator_catalogue().set_index("code")["label"].to_dict()
table = components.objective_table(cache.objective_status_table(view.plan, year, territory), labels)
st.dataframe(components.style_status(table), hide_index=True, width="stretch")
frame.table_downloads(table, name=f"objectifs-{view.plan}-{year}", title=f"Objectifs {year}", demo=bool(objectives["demo"].any()))

st.subheader("Fraîcheur des sources")
freshness = cache.source_freshness(view.departement)
sources = freshness.assign(
    last_period=freshness["last_period"].map(lambda d: f"{d:%m/%Y}"),
    updated_at=freshness["updated_at"].map(lambda d: f"{d:%d/%m/%Y}"),
    demo=freshness["demo"].map({True: "oui (fictives)", False: "non"}),
).rename(columns={"source": "Source", "last_period": "Dernière période", "updated_at": "Mise à jour", "demo": "Démonstration"})
st.dataframe(sources, hide_index=True, width="stretch")
frame.table_downloads(sources, name="fraicheur-des-sources", title="Fraîcheur des sources")
