"""Documents made on request in the app: the séance dossier and the bilan annuel (PDF, PPTX, XLSX).

Making one draws every figure with kaleido and prints with Chromium (tens of seconds): a button
starts it, a progress bar follows it, then a download button hands over the bytes, kept in the
session until another document replaces them. Errors reach the user in French (UserError,
ExportError), never as a traceback.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from sqlalchemy import Connection

from data_access.errors import UserError
from reporting.images import ExportError
from reporting.pdf import deck_pdf
from reporting.pptx import deck_pptx
from reporting.slides import Deck, Progress
from ui import cache

MIME = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMAT_WORDS = {"pdf": "PDF", "pptx": "diaporama PowerPoint", "xlsx": "classeur Excel"}

DeckMaker = Callable[[Connection, Progress], Deck]


def document_downloads(
    key: str,
    stem: str,
    *,
    deck: DeckMaker,
    workbook: Callable[[Connection], bytes] | None = None,
) -> None:
    """« Préparer le PDF / le diaporama / le classeur » buttons for one document, then its download.

    ``deck(conn, progress)`` builds the slides (PDF and PPTX); ``workbook(conn)`` the XLSX, if any;
    ``stem`` names the file (« bilan-isere-palhdi-2014-2020-2018 »)."""
    kinds = ["pdf", "pptx"] + (["xlsx"] if workbook is not None else [])
    ready = st.session_state.get(f"{key}-ready")
    with st.container(horizontal=True):
        for kind in kinds:
            if st.button(f"Préparer le {FORMAT_WORDS[kind]}", key=f"{key}-make-{kind}", icon=":material/description:"):
                ready = _make(key, stem, kind, deck, workbook)
    if ready is not None and ready[0] == stem:
        _, kind, data = ready
        st.download_button(
            f"Télécharger le {FORMAT_WORDS[kind]} ({len(data) // 1024 + 1} Ko)",
            data,
            file_name=f"{stem}.{kind}",
            mime=MIME[kind],
            key=f"{key}-download",
            icon=":material/download:",
            on_click="ignore",
        )


def _make(key: str, stem: str, kind: str, deck: DeckMaker, workbook: Callable[[Connection], bytes] | None) -> tuple[str, str, bytes] | None:
    bar = st.progress(0.0, text="Préparation…")

    def progress(done: int, total: int, label: str) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0, text=f"{label} ({done} / {total})")

    try:
        with cache.engine().connect() as conn:
            if kind == "xlsx" and workbook is not None:
                data = workbook(conn)
            else:
                slides = deck(conn, progress)
                data = deck_pptx(slides, progress=progress) if kind == "pptx" else deck_pdf(slides, progress=progress)
    except (UserError, ExportError) as error:
        bar.empty()
        st.error(str(error), icon=":material/error:")
        return None
    bar.progress(1.0, text="Terminé")
    ready = (stem, kind, data)
    st.session_state[f"{key}-ready"] = ready
    return ready
