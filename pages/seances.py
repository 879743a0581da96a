"""Séances : les suites de vues préparées pour une réunion (CCAPEX plénière, réunion territoriale).

Tout le monde peut présenter une séance ; la composer, la réordonner ou la supprimer demande le
rôle de gestionnaire de données."""

import streamlit as st

from data_access import seances
from data_access.errors import UserError
from data_access.french import MISSING
from data_access.vocabulary import PAGE_INFO, Page
from reporting.dossier import seance_deck
from ui import auth, cache, filters, report_downloads, seance_nav
from ui.accessibility import PLACEHOLDER

view = filters.current()
st.title(PAGE_INFO[Page.SEANCES].page_title)
st.caption(
    "Une séance est une suite de vues (page et filtres) présentée en réunion en mode présentation : « précédent / suivant », "
    "flèches du clavier ou télécommande (Page préc. / Page suiv.), défilement automatique possible."
)
listing = cache.seances(view.plan)
if listing.empty:
    st.info("Aucune séance pour ce plan. Un gestionnaire de données peut en créer une avec « Ajouter à la séance » (barre latérale).")
    st.stop()
names = dict(zip(listing["id"], listing["name"], strict=True))
chosen = st.selectbox("Séance", list(names), format_func=names.get, placeholder=PLACEHOLDER)
views = cache.seance_views(int(chosen))
if st.button("▶ Présenter cette séance", type="primary", disabled=views.empty):
    seance_nav.go_to(int(chosen), views, 0)
pages = {info.page.value: info.title for info in PAGE_INFO.values()}
st.dataframe(
    views.assign(vue=views["position"] + 1, page=views["page"].map(lambda page: pages.get(page, page)))[
        ["vue", "title", "page", "note"]
    ].rename(columns={"vue": "N°", "title": "Titre", "page": "Page", "note": "Note pour l'orateur"}),
    hide_index=True,
    width="stretch",
    placeholder=MISSING,
)
st.subheader("Dossier de la séance")
report_downloads.document_downloads(
    "dossier",
    f"seance-{int(chosen)}",
    deck=lambda conn, progress: seance_deck(conn, names[chosen], plan=view.plan, progress=progress),
)

user = auth.data_manager()
if user is None:
    st.caption("Pour composer ou modifier une séance, connectez-vous comme gestionnaire de données (page « Importer des données »).")
    st.stop()
st.subheader("Modifier la séance")
if not views.empty:
    titles = dict(zip(views["id"], views["title"], strict=True))
    target = st.selectbox("Vue", list(titles), format_func=titles.get, placeholder=PLACEHOLDER)
    left, middle, right = st.columns(3)
    position = int(views.set_index("id").at[target, "position"])
    new_position = position - 1 if left.button("Monter", disabled=position == 0) else None
    if middle.button("Descendre", disabled=position == len(views) - 1):
        new_position = position + 1
    remove = right.button("Retirer la vue")
    if new_position is not None or remove:
        try:
            with cache.engine().begin() as conn:
                if remove:
                    seances.delete_view(conn, seance_id=int(chosen), view_id=int(target), user=user)
                else:
                    seances.move_view(conn, seance_id=int(chosen), view_id=int(target), new_position=new_position, user=user)
        except UserError as error:
            st.error(str(error))
        else:
            cache.clear()
            st.rerun()
with st.form("supprimer"):
    confirmed = st.checkbox(f"Je confirme la suppression de la séance « {names[chosen]} » et de ses vues")
    if st.form_submit_button("Supprimer la séance") and confirmed:
        try:  # another writer holding the write lock: a French « réessayez », not the error box
            with cache.engine().begin() as conn:
                seances.delete_seance(conn, seance_id=int(chosen), user=user)
        except UserError as error:
            st.error(str(error))
        else:
            cache.clear()
            st.rerun()
