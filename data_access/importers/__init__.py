"""Importers of partners' files: long and wide tables (CSV, XLSX) and Histologe exports.

Validate everything, then write once: :func:`prepare_import` reads and checks a whole file and
returns a :class:`Preview` (nothing written); :func:`apply_import` stores it as one import batch in
the caller's transaction; :func:`revert_batch` undoes a batch exactly. Never imports Streamlit.
"""

from data_access.importers.options import FORMATS, ImportOptions
from data_access.importers.reading import sheet_names
from data_access.importers.service import ImportOutcome, Preview, apply_import, header_columns, max_upload_bytes, prepare_import
from data_access.importers.store import RevertResult, list_batches, revert_batch

__all__ = [
    "FORMATS",
    "ImportOptions",
    "ImportOutcome",
    "Preview",
    "RevertResult",
    "apply_import",
    "header_columns",
    "list_batches",
    "max_upload_bytes",
    "prepare_import",
    "revert_batch",
    "sheet_names",
]
