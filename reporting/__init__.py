"""Exports: DataFrames and Plotly figures → bytes (CSV, XLSX, PNG, SVG, PPTX, PDF). No Streamlit, no queries.

- :mod:`reporting.tables`: ``csv_bytes``, ``xlsx_bytes`` (safe against formula injection), French text tables.
- :mod:`reporting.images`: ``figure_png``, ``figure_svg`` with kaleido in the system Chromium (one browser per process);
  :mod:`reporting.static_maps` redraws map figures in SVG for export (MapLibre is slow without a GPU).
- :mod:`reporting.slides`: ``Slide`` and ``Deck``, the neutral description of a meeting deck.
- :mod:`reporting.pptx`: ``deck_pptx``; :mod:`reporting.pdf`: ``deck_pdf``.

Submodules are imported explicitly (``from reporting.tables import csv_bytes``): importing this
package loads neither kaleido nor Playwright.
"""
