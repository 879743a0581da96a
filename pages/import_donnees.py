"""Importer des données : aperçu et rapport d'erreurs avant toute écriture, import tout ou rien, annulation.

Réservé au rôle de gestionnaire de données (ui/auth.py). Le fichier est lu en mémoire, jamais écrit
sur disque ; d'un export Histologe, seuls des comptages sont gardés. En bas, le suivi des fiches-action
(ui/progress_import_panel.py) : modèle, fichier vérifié en entier, import annulable.
"""

import streamlit as st

from data_access.importers import max_upload_bytes
from data_access.vocabulary import PAGE_INFO, Page
from ui import auth, filters
from ui.import_panels import PREVIEW, UPLOADER, batches_panel, options_and_check, preview_panel, stored_data_panel
from ui.progress_import_panel import progress_import_section

filters.served_by_app()  # before anything is drawn (see there)
st.set_page_config(layout="wide")  # the preview tables need the width (additive: the app's other settings stay)
st.title(PAGE_INFO[Page.IMPORT_DONNEES].page_title)
st.caption(
    "Fichiers des partenaires (CSV ou Excel .xlsx) : table longue, table large (une colonne par période) ou export Histologe. "
    "Tout est vérifié avant d'écrire ; un import s'écrit en entier ou pas du tout, et peut être annulé."
)

user = auth.login_panel()
if user is not None:
    generation = st.session_state.setdefault(UPLOADER, 0)
    uploaded = st.file_uploader(
        f"Fichier à importer (CSV ou XLSX, {max_upload_bytes() // 1048576} Mo au plus)",
        type=["csv", "tsv", "txt", "xlsx"],
        key=f"uploader-{generation}",
    )
    if uploaded is None:
        st.session_state.pop(PREVIEW, None)
        with st.expander("Formats acceptés"):
            st.markdown(
                "- **Table longue** : colonnes `indicateur`, `territoire`, `periode`, `valeur` (et si besoin `statut`, `source`) ; "
                "modèle : `examples/import-long.csv`.\n"
                "- **Table large** : une ligne par territoire (ou par indicateur), une colonne par période (`2024`, `2024-T1`, "
                "`2024-03`, `03/2024`, `mars 2024`) ; dites ci-dessous quelle colonne contient quoi.\n"
                "- **Export Histologe / Signal Logement** : tel que téléchargé ; seuls des comptages mensuels par commune sont gardés, "
                "jamais les données personnelles."
            )
    else:
        key = options_and_check(uploaded)
        if key is not None:
            preview_panel(key, user, generation)
    if "import_done" in st.session_state:
        st.success(st.session_state.pop("import_done"), icon=":material/check_circle:")

stored_data_panel()
batches_panel(user)
progress_import_section(user)
