"""The import page's panels: reading options, the preview with its error report, the list of
imports with revert. Split from pages/import_donnees.py to keep the page a short script."""

from __future__ import annotations

import dataclasses
import hashlib

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from data_access import series_kinds
from data_access.errors import UserError
from data_access.french import fr_date
from data_access.importers import ImportOptions, apply_import, header_columns, list_batches, prepare_import, revert_batch, sheet_names
from data_access.importers.options import FORMAT_NAMES
from data_access.importers.referential import check_schema
from ui import cache, filters
from ui.accessibility import PLACEHOLDER
from views.wording import escape_markdown

FORMAT_CHOICES = {"Reconnaître d'après l'en-tête": None, **{label.capitalize(): code for code, label in FORMAT_NAMES.items()}}
STATUS_CHOICES = {"Selon le fichier (définitif par défaut)": None, "Provisoire": "provisoire", "Définitif": "définitif"}
COMPLETE_HISTOLOGE = "L'export n'est filtré ni par commune ni par territoire : les communes sans signalement reçoivent zéro."
COMPLETE_TABLE = (
    "Pour chaque indicateur et chaque période qu'il contient, le tableau liste tous les territoires de son niveau dans le "
    "département : une valeur enregistrée d'un territoire absent du tableau passe à zéro."
)
COMPLETE_CHOICES = {  # format → (the box's label, what it means)
    None: (
        "Fichier complet (export Histologe non filtré, ou tableau qui liste tous les territoires)",
        f"{COMPLETE_HISTOLOGE} {COMPLETE_TABLE}",
    ),
    "histologe": ("Export Histologe complet du département", COMPLETE_HISTOLOGE),
    "long": ("Tableau complet : un territoire absent vaut zéro", COMPLETE_TABLE),
    "wide": ("Tableau complet : un territoire absent vaut zéro", COMPLETE_TABLE),
}
PREVIEW, UPLOADER = "import_preview", "import_uploader_generation"


def options_and_check(uploaded) -> tuple[str, ImportOptions] | None:  # type: ignore[no-untyped-def]
    """Ask how to read the uploaded file; on « Vérifier », store its preview. Returns the preview's
    key (file hash and options), or None when the file cannot be read."""
    data = uploaded.getvalue()
    try:
        sheets = sheet_names(data) if data[:4] == b"PK\x03\x04" else []
        left, right = st.columns(2)
        format_label = left.selectbox("Format", list(FORMAT_CHOICES), placeholder=PLACEHOLDER)
        sheet = right.selectbox("Feuille", sheets, placeholder=PLACEHOLDER) if len(sheets) > 1 else None
        options = ImportOptions(format=FORMAT_CHOICES[format_label], sheet=sheet)
        if options.format == "wide":
            columns = header_columns(data, sheet)
            catalogue = cache.indicator_catalogue()
            stored = catalogue[catalogue["numerator_code"].isna()]
            labels = {str(code): str(label) for code, label in zip(stored["code"], stored["label"], strict=True)}
            rows_hold = st.radio("Chaque ligne du tableau est", ["un territoire", "un indicateur"], horizontal=True)
            a, b = st.columns(2)
            if rows_hold == "un territoire":
                options = ImportOptions(
                    format="wide",
                    sheet=sheet,
                    territory_column=a.selectbox("Colonne des territoires", columns, placeholder=PLACEHOLDER),
                    indicator=b.selectbox(
                        "Indicateur du tableau",
                        list(labels),
                        format_func=lambda c: f"{c} — {labels[c]}",
                        placeholder=PLACEHOLDER,
                    ),
                )
            else:
                options = ImportOptions(
                    format="wide",
                    sheet=sheet,
                    indicator_column=a.selectbox("Colonne des indicateurs", columns, placeholder=PLACEHOLDER),
                    territory=b.text_input(
                        "Territoire du tableau (code INSEE, SIREN, territoire ou département)", filters.current().departement
                    ),
                )
        label, meaning = COMPLETE_CHOICES[options.format]
        complete = st.checkbox(label, help=f"{meaning} Sans cette case, seules les valeurs présentes dans le fichier sont mises à jour.")
        options = dataclasses.replace(options, complete=complete)
        if options.format != "histologe":
            blank_is_secret = st.checkbox(
                "Les cases vides sont couvertes par le secret statistique",
                help="La source laisse vides ses petites valeurs (moins de 5, par exemple) : elles sont enregistrées « secret », "
                "affichées « s » et les totaux qui les comprennent sont présentés comme des minimums. "
                "Les cellules « s », « secret » ou « < 5 » sont toujours lues ainsi, avec ou sans cette case.",
            )
            options = dataclasses.replace(options, blank_is_secret=blank_is_secret)
        c, d = st.columns(2)
        source = c.text_input("Source des valeurs (facultatif)", placeholder="ex. Préfecture (EXPLOC)")
        status = d.selectbox("Statut des valeurs sans colonne « statut »", list(STATUS_CHOICES), placeholder=PLACEHOLDER)
        options = dataclasses.replace(options, source=source.strip() or None, status=STATUS_CHOICES[status])
        key = (hashlib.sha256(data).hexdigest(), options)
        if st.button("Vérifier le fichier", type="primary"):
            with st.spinner("Lecture et vérification de tout le fichier…"), cache.engine().connect() as conn:
                st.session_state[PREVIEW] = (key, prepare_import(conn, data, uploaded.name, options))
    except UserError as error:
        st.error(str(error), icon=":material/error:")
        st.session_state.pop(PREVIEW, None)
        return None
    return key


def preview_panel(key: object, user: str, generation: int) -> None:
    """The stored preview for ``key``: counts, errors and warnings, report download, import button."""
    stored_preview = st.session_state.get(PREVIEW)
    if stored_preview is not None and stored_preview[0] == key:
        preview = stored_preview[1]
        counts = preview.counts
        st.subheader("Aperçu : rien n'est encore écrit")
        # a file name is the sender's text: never Markdown (« [lien](…) », « **…** »)
        name = escape_markdown(preview.file_name)
        st.caption(
            f"{name} — {escape_markdown(preview.description)} — {FORMAT_NAMES[preview.format]} — {preview.file_rows} ligne(s) lue(s)"
        )
        m = st.columns(5)
        m[0].metric("Nouvelles", counts["nouvelles"], help="Valeurs absentes de la base, qui seront ajoutées", border=True)
        m[1].metric("Modifiées", counts["modifiées"], help="Valeurs déjà en base pour la même clé, qui seront remplacées", border=True)
        m[2].metric("Inchangées", counts["inchangées"], help="Valeurs identiques à celles de la base", border=True)
        m[3].metric("Erreurs", preview.errors, help="Lignes qui ne peuvent pas être importées", border=True)
        m[4].metric("Avertissements", preview.warnings, help="Valeurs importables mais à vérifier", border=True)
        notes = list(preview.notes)
        if preview.decrease_sentence():
            notes.insert(0, f"Baisses : {preview.decrease_sentence()}")
        if counts["remplacent la démo"]:
            notes.insert(
                0, f"Dont {counts['remplacent la démo']} valeur(s) modifiée(s) qui remplacent des données fictives de démonstration."
            )
        if preview.ignored_columns:
            notes.append(f"Colonnes ignorées : {', '.join(preview.ignored_columns)}.")
        if notes:
            st.caption("  \n".join(notes))
        exclude = False
        if preview.already is not None:
            st.info(preview.already_message(), icon=":material/info:")
        elif preview.errors:
            st.error(preview.refusal(), icon=":material/block:")
        if len(preview.issues):
            st.markdown(f"**Erreurs et avertissements** — {preview.errors} erreur(s), {preview.warnings} avertissement(s)")
            st.dataframe(
                preview.issues_table(),
                hide_index=True,
                placeholder="",
                column_config={
                    "Ligne": st.column_config.NumberColumn(width=60),
                    "Colonne": st.column_config.TextColumn(width=110),
                    "Valeur": st.column_config.TextColumn(width=150),
                    "Gravité": st.column_config.TextColumn(width=120),
                    "Explication": st.column_config.TextColumn(width=1300),
                },
            )
            st.download_button(
                "Télécharger le rapport (CSV pour Excel)",
                preview.report_csv(),
                file_name=f"rapport-{preview.file_name}.csv",
                mime="text/csv",
                icon=":material/download:",
            )
        if not preview.observations.empty:
            st.markdown("**Valeurs valides, par indicateur**")
            st.dataframe(preview.summary(), hide_index=True)
        if not preview.series.empty:
            st.markdown("**Données de démonstration ou réelles, avant et après l'import**")
            st.dataframe(preview.series, hide_index=True)
            st.caption(
                "Les valeurs réelles d'un indicateur remplacent toute sa série de démonstration dans le département : "
                "les totaux ne mêlent jamais valeurs réelles et fictives. L'annulation de l'import rétablit la démonstration."
            )
        if preview.already is None:
            if preview.errors:
                exclude = st.checkbox(
                    f"Exclure les {preview.error_lines} ligne(s) en erreur et importer les {len(preview.observations)} valeur(s) valides"
                )
            if st.button("Importer", type="primary", disabled=bool(preview.errors) and not exclude):
                try:
                    with cache.engine().begin() as conn:
                        outcome = apply_import(conn, preview, user_name=user, exclude_errors=exclude)
                except UserError as error:
                    st.error(str(error), icon=":material/error:")
                else:
                    cache.clear()
                    st.session_state.pop(PREVIEW, None)
                    st.session_state[UPLOADER] = generation + 1  # forget the uploaded bytes
                    st.session_state["import_done"] = outcome.message
                    st.rerun()


def stored_data_panel() -> None:
    """Per indicator, whether the database holds demo or real data for the sidebar's département
    (cached until the data changes: after an import or a revert, the table says what it changed)."""
    st.subheader("Données en base : démonstration ou réelles")
    try:
        view = st.session_state.get("view")  # the sidebar's, when app.py drew it in this run
        departement = view.departement if view is not None else str(cache.plans()["departement_code"].iloc[0])
        with cache.engine().connect() as conn:
            check_schema(conn)
        table = cache.kinds_table(departement)
    except (UserError, SQLAlchemyError, IndexError) as error:
        st.error(str(error) if isinstance(error, UserError) else "La base de données n'a pas pu être lue.", icon=":material/error:")
        return
    name = cache.territory_name(departement)
    if table.empty:
        st.info(f"Aucune valeur en base pour {name} ({departement}).", icon=":material/info:")
        return
    real = int((table["Données en base"] == series_kinds.REAL).sum())
    st.caption(
        f"{name} ({departement}) : {real} indicateur(s) en {series_kinds.REAL}, "
        f"{int((table['Données en base'] == series_kinds.DEMO).sum())} en {series_kinds.DEMO} (fictives, générées par le code)."
    )
    st.dataframe(table, hide_index=True)


def batches_panel(user: str | None) -> None:
    """Imports made so far, and (for a data manager) the revert form."""
    st.subheader("Imports réalisés")
    try:
        with cache.engine().connect() as conn:
            check_schema(conn)
            batches = list_batches(conn, kind="import")
    except (UserError, SQLAlchemyError) as error:
        st.error(str(error) if isinstance(error, UserError) else "La base de données n'a pas pu être lue.", icon=":material/error:")
        return
    if batches.empty:
        st.info("Aucun import pour l'instant : les pages montrent les données de démonstration et de référence.")
        return
    st.dataframe(
        batches,
        hide_index=True,
        placeholder="—",
        column_order=[c for c in batches.columns if c != "Nature"],
        column_config={
            "Importé le": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
            "Annulé le": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
        },
    )
    active = batches[batches["Annulé le"].isna()]
    if user is not None and not active.empty:
        with st.form("annulation"):
            st.markdown("**Annuler un import** : ses valeurs sont retirées et celles qu'il avait remplacées reviennent à l'identique.")
            files = dict(zip(active["Lot"], active["Fichier"], strict=True))
            moments = dict(zip(active["Lot"], active["Importé le"], strict=True))
            batch_id: int | None = st.selectbox(
                "Lot",
                list(active["Lot"]),
                format_func=lambda b: f"n° {b} — {files[b]} ({fr_date(moments[b])} {moments[b]:%H:%M})",
                placeholder=PLACEHOLDER,
            )
            confirmed = st.checkbox("Je confirme l'annulation de ce lot")
            if st.form_submit_button("Annuler ce lot") and confirmed and batch_id is not None:
                try:
                    with cache.engine().begin() as conn:
                        message = revert_batch(conn, int(batch_id)).message()
                except UserError as error:
                    st.error(str(error), icon=":material/error:")
                else:
                    cache.clear()
                    st.session_state["import_done"] = message
                    st.rerun()
