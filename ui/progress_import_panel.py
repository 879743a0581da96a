"""The import page's « Suivi des fiches-action » section (issue 14): a follow-up file checked whole
like a data import, refused whole on any error, written in one transaction, revertible.

For data managers only: the page calls :func:`progress_import_section` with the signed-in user,
and every function here that shows a widget or writes checks the role again itself
(``ui.auth.data_manager``), so that no page can write without it. An anonymous session gets one
line saying who may import. The file is read in memory and never written to disk; no text of the
file (réalisations, commentaire, pilote, partenaires) is shown back, only counts and the cells
that ``data_access.progress_import`` quotes in its errors (codes, years, states, dates, amounts).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from data_access.errors import UserError
from data_access.french import fr_date, fr_number
from data_access.importers import max_upload_bytes, sheet_names
from data_access.progress_import import (
    ProgressImportOutcome,
    ProgressPreview,
    apply_progress_import,
    prepare_progress_import,
    progress_imports,
    progress_template,
    revert_progress_import,
    template_file_name,
)
from ui import auth, cache, filters
from ui.accessibility import PLACEHOLDER
from views.params import default_plan
from views.wording import escape_markdown

ANONYMOUS = "Suivi des fiches-action : importer un fichier de suivi demande aussi le rôle de gestionnaire de données (connexion ci-dessus)."
REFUSED = "Importer ou annuler un suivi des fiches-action demande le rôle de **gestionnaire de données** : rien n'a été écrit."
PREVIEW, UPLOADER, MESSAGE = "progress_import_preview", "progress_import_uploader_generation", "progress_import_message"
CONFIRM = "progress_import_revert_confirmed"
MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv"}
IMPORT_LABELS = {
    "id": "N°",
    "file_name": "Fichier",
    "rows": "Lignes",
    "changes": "Changements",
    "imported_by": "Importé par",
    "imported_at": "Importé le",
    "reverted_by": "Annulé par",
    "reverted_at": "Annulé le",
}
ISSUE_LABELS = {"ligne": "Ligne", "colonne": "Colonne", "valeur": "Valeur", "probleme": "Explication"}


def _is_manager(user: str | None) -> bool:
    """Whether ``user`` is this session's signed-in data manager (checked on every call, not trusted from the page)."""
    return user is not None and auth.data_manager() == user


def progress_import_section(user: str | None) -> None:
    """The whole section for the data manager ``user`` (``ui.auth.login_panel()``'s result):
    plan, template, upload and check, import, past imports with revert. One French line otherwise."""
    if user is None or not _is_manager(user):
        st.caption(ANONYMOUS)
        return
    st.divider()
    st.subheader("Suivi des fiches-action")
    st.caption(
        "L'état d'avancement, les réalisations, le commentaire, le pilote, les partenaires, les moyens de chaque fiche pour une "
        "année, et l'état de ses jalons, en un fichier : téléchargez le modèle du plan, remplissez-le, puis importez-le. "
        "Un fichier avec une erreur est refusé en entier ; un import s'annule en entier."
    )
    message = st.session_state.pop(MESSAGE, None)
    if message is not None:
        if message[0] == "success":
            st.success(message[1], icon=":material/check_circle:")
        else:
            st.info(message[1], icon=":material/info:")
    plan = plan_choice(user)
    if plan is None:
        return
    generation = st.session_state.setdefault(UPLOADER, 0)
    uploaded = st.file_uploader(
        f"Fichier de suivi rempli (XLSX ou CSV, {max_upload_bytes() // 1048576} Mo au plus)",
        type=["xlsx", "csv"],
        max_upload_size=max_upload_bytes() // 1048576,  # the bound prepare_progress_import checks again
        key=f"progress-uploader-{generation}",
    )
    if uploaded is None:
        st.session_state.pop(PREVIEW, None)
    else:
        key = check_panel(uploaded, plan, user)
        if key is not None:
            preview_panel(key, user, generation)
    imports_panel(plan, user)


def _plans() -> pd.DataFrame:
    return cache.plans().set_index("code")


def _view_plan(plans: pd.DataFrame) -> str:
    """The sidebar's plan (``ui.filters.current()``), or the default plan when the page runs on its
    own (AppTest of the page file: no app.py, hence no sidebar and no view)."""
    try:
        plan = filters.current().plan
    except KeyError:
        plan = default_plan(plans.reset_index())
    return plan if plan in plans.index else str(plans.index[0])


def plan_choice(user: str) -> str | None:
    """The plan chooser (default: the view's plan) and the template's two download buttons; the plan chosen."""
    if not _is_manager(user):
        st.info(REFUSED, icon=":material/lock:")
        return None
    plans = _plans()
    if plans.empty:
        st.info("Aucun plan n'est chargé : il n'y a pas de fiches-action à suivre.")
        return None
    view_plan = _view_plan(plans)
    codes = list(plans.index)
    left, right = st.columns([3, 1])
    plan = str(
        left.selectbox(
            "Plan suivi",
            codes,
            index=codes.index(view_plan),
            format_func=lambda c: str(plans.loc[c, "short_name"]),
            key=f"progress-plan-{view_plan}",  # a new view plan resets the choice to it
            placeholder=PLACEHOLDER,
        )
    )
    start: dt.date = plans.loc[plan, "period_start"]  # type: ignore[assignment]
    end: dt.date = plans.loc[plan, "period_end"]  # type: ignore[assignment]
    first, last = start.year, end.year
    years: list[int] = list(range(first, last + 1))
    year = int(
        right.selectbox(
            "Année du modèle",
            years,
            index=years.index(min(max(dt.date.today().year, first), last)),
            key=f"progress-year-{plan}",
            help="L'année pré-remplie dans la colonne « annee » du modèle ; chaque ligne peut en changer.",
            placeholder=PLACEHOLDER,
        )
    )
    engine = cache.engine()  # taken now: the download callables run on another thread, outside the script
    with st.container(horizontal=True):
        for fmt, label in (("xlsx", "Modèle Excel (.xlsx)"), ("csv", "Modèle CSV (pour Excel)")):
            st.download_button(
                label,
                _template(engine, plan, fmt, year),
                file_name=template_file_name(plan, fmt, year),
                mime=MIME[fmt],
                on_click="ignore",
                icon=":material/download:",
                key=f"progress-template-{fmt}",
            )
    st.caption(
        "Le modèle a une ligne par fiche-action du plan, suivie d'une ligne par jalon (colonne « jalon ») ; "
        "une cellule vide laisse la valeur enregistrée telle quelle, une ligne sans saisie est ignorée."
    )
    return plan


def _template(engine: Engine, plan: str, fmt: str, year: int) -> Callable[[], bytes]:
    """The template's bytes, made only when the button is clicked."""

    def build() -> bytes:
        with engine.connect() as conn:
            return progress_template(conn, plan=plan, fmt=fmt, year=year)

    return build


def check_panel(uploaded, plan: str, user: str) -> tuple[str, str, str | None] | None:  # type: ignore[no-untyped-def]
    """The sheet chooser (a workbook of several sheets) and « Vérifier le fichier », which stores the
    preview. Returns the preview's key (file hash, plan, sheet), or None when the file cannot be read."""
    if not _is_manager(user):
        st.info(REFUSED, icon=":material/lock:")
        return None
    data = uploaded.getvalue()
    try:
        sheets = sheet_names(data) if data[:4] == b"PK\x03\x04" else []
        sheet = st.selectbox("Feuille", sheets, key="progress-sheet", placeholder=PLACEHOLDER) if len(sheets) > 1 else None
        key = (hashlib.sha256(data).hexdigest(), plan, sheet)
        if st.button("Vérifier le fichier", type="primary", key="progress-check"):
            with st.spinner("Lecture et vérification de tout le fichier…"), cache.engine().connect() as conn:
                st.session_state[PREVIEW] = (key, prepare_progress_import(conn, data, uploaded.name, plan=plan, sheet=sheet))
    except UserError as error:
        st.session_state.pop(PREVIEW, None)
        st.error(str(error), icon=":material/error:")
        st.caption("Le modèle à remplir se télécharge avec les boutons ci-dessus.")
        return None
    return key


def preview_panel(key: object, user: str, generation: int) -> None:
    """The stored preview for ``key``: rows read, changes, every error with its line and column, and
    « Importer » (disabled while the file has an error)."""
    if not _is_manager(user):
        st.info(REFUSED, icon=":material/lock:")
        return
    stored = st.session_state.get(PREVIEW)
    if stored is None or stored[0] != key:
        return
    preview: ProgressPreview = stored[1]
    counts = preview.counts
    st.markdown("**Aperçu du suivi : rien n'est encore écrit**")
    details = [
        escape_markdown(preview.file_name),
        escape_markdown(preview.description),
        f"plan {_plans().loc[preview.plan, 'short_name']!s}",
    ]
    if preview.empty_rows:
        details.append(f"{fr_number(preview.empty_rows)} ligne(s) sans saisie, ignorée(s)")
    st.caption(" — ".join(details))
    m = st.columns(6)
    m[0].metric("Lignes lues", fr_number(preview.file_rows), help="Lignes de données du fichier, sous l'en-tête", border=True)
    m[1].metric(
        "Nouvelles", fr_number(counts["nouvelles"]), help="Fiches et années sans suivi enregistré, qui seront ajoutées", border=True
    )
    m[2].metric("Modifiées", fr_number(counts["modifiées"]), help="Fiches et années déjà suivies dont des valeurs changeront", border=True)
    m[3].metric("Inchangées", fr_number(counts["inchangées"]), help="Fiches et années déjà comme le fichier le dit", border=True)
    m[4].metric(
        "Jalons",
        fr_number(counts["jalons"]),
        help=f"Jalons dont l'état sera enregistré ({fr_number(counts['jalons inchangés'])} déjà dans cet état)",
        border=True,
    )
    m[5].metric("Erreurs", fr_number(preview.errors), help="Cellules à corriger : une seule refuse tout le fichier", border=True)
    if preview.ignored_columns:
        st.caption(f"Colonnes ignorées : {', '.join(preview.ignored_columns)}.")
    if preview.errors:
        st.error(preview.refusal(), icon=":material/block:")
        st.markdown(f"**Erreurs** — {fr_number(preview.errors)} erreur(s) sur {fr_number(preview.error_lines)} ligne(s)")
        # a static table, not st.dataframe: its cells wrap, so that each explication is read whole even
        # on a laptop screen; a follow-up file is small (a template has a row per fiche and milestone),
        # and a longer list scrolls inside its frame
        shown = issues_table(preview)
        st.table(shown, hide_index=True, border="horizontal", height="content" if len(shown) <= 12 else 560)
    elif not any(counts[k] for k in ("nouvelles", "modifiées", "jalons")):
        st.info("Le fichier ne change rien au suivi enregistré : l'importer n'écrirait rien.", icon=":material/info:")
    if st.button(
        "Importer",
        type="primary",
        disabled=bool(preview.errors),
        key="progress-import",
        help="Corrigez d'abord les erreurs du fichier, puis vérifiez-le à nouveau." if preview.errors else None,
    ):
        _import(preview, user, generation)


def issues_table(preview: ProgressPreview) -> pd.DataFrame:
    """The preview's errors as shown: Ligne, Colonne, Valeur (the cell as quoted by the checks; free
    texts never are), Explication."""
    return preview.issues[list(ISSUE_LABELS)].rename(columns=ISSUE_LABELS)


def outcome_message(outcome: ProgressImportOutcome) -> str:
    """What an import recorded and how to revert it, in the page's words (the outcome's own message names the CLI)."""
    if outcome.import_id is None:
        return outcome.message
    return (
        f"Suivi importé : import n° {outcome.import_id} ; {fr_number(outcome.fiches)} fiche(s) et année(s) enregistrée(s), "
        f"{fr_number(outcome.milestones)} jalon(s). Pour revenir en arrière : « Annuler cet import » dans la liste "
        "« Imports de suivi réalisés » ci-dessous."
    )


def _import(preview: ProgressPreview, user: str, generation: int) -> None:
    if not _is_manager(user):
        st.error(REFUSED, icon=":material/lock:")
        return
    try:
        with cache.engine().begin() as conn:  # one transaction: every row of the file or none
            outcome = apply_progress_import(conn, preview, user=user)
    except UserError as error:
        st.error(str(error), icon=":material/error:")
        return
    cache.clear()
    st.session_state.pop(PREVIEW, None)
    st.session_state[UPLOADER] = generation + 1  # forget the uploaded bytes
    st.session_state[MESSAGE] = ("success" if outcome.import_id is not None else "info", outcome_message(outcome))
    st.rerun()


def imports_table(imports: pd.DataFrame) -> pd.DataFrame:
    """``progress_imports`` with the page's French column names (IMPORT_LABELS)."""
    return imports[list(IMPORT_LABELS)].rename(columns=IMPORT_LABELS)


def imports_panel(plan: str, user: str) -> None:
    """The follow-up files imported for ``plan``, newest first, and « Annuler cet import »."""
    if not _is_manager(user):
        st.info(REFUSED, icon=":material/lock:")
        return
    st.markdown("**Imports de suivi réalisés pour ce plan**")
    with cache.engine().connect() as conn:
        imports = progress_imports(conn, plan=plan)
    if imports.empty:
        st.caption("Aucun import de suivi pour ce plan.")
        return
    st.dataframe(
        imports_table(imports),
        hide_index=True,
        placeholder="—",
        column_config={
            "N°": st.column_config.NumberColumn(width=50),
            "Importé le": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
            "Annulé le": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
        },
    )
    active = imports[imports["reverted_at"].isna()]
    if active.empty:
        return
    files = dict(zip(active["id"], active["file_name"], strict=True))
    moments = dict(zip(active["id"], active["imported_at"], strict=True))
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    chosen = left.selectbox(
        "Import à annuler",
        list(active["id"]),
        format_func=lambda i: f"n° {i} — {files[i]} ({fr_date(moments[i])} {moments[i]:%H:%M})",
        key="progress-revert-choice",
        placeholder=PLACEHOLDER,
    )
    confirmed = right.checkbox("Je confirme l'annulation de cet import", key=CONFIRM)
    st.caption(
        "Annuler rend à chaque fiche et année les valeurs d'avant l'import, et à chaque jalon son état d'avant. "
        "Une fiche modifiée depuis l'import bloque l'annulation : annulez d'abord cette modification "
        "(page « Plan d'action », « Annuler la dernière modification »)."
    )
    if st.button("Annuler cet import", disabled=not confirmed, key="progress-revert") and chosen is not None:
        _revert(int(chosen), user)


def _revert(import_id: int, user: str) -> None:
    if not _is_manager(user):
        st.error(REFUSED, icon=":material/lock:")
        return
    try:
        with cache.engine().begin() as conn:
            reverted = revert_progress_import(conn, import_id, user=user)
    except UserError as error:  # e.g. a fiche changed since: nothing was written
        st.error(str(error), icon=":material/block:")
        return
    cache.clear()
    st.session_state.pop(CONFIRM, None)
    st.session_state[MESSAGE] = ("success", reverted.message)
    st.rerun()
