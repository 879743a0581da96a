"""Exports: DataFrames and Plotly figures → bytes (CSV, XLSX, PNG, SVG, PPTX, PDF). No Streamlit, no queries.

- :mod:`reporting.tables`: ``csv_bytes`` (safe against formula injection, values as on screen, title, filters,
  source, dates and demo notice above the table), French text tables; :mod:`reporting.xlsx`: ``xlsx_bytes``, the same as a workbook.
- :mod:`reporting.images`: ``figure_png``, ``figure_svg`` with kaleido in the system Chromium (one browser per process);
  ``framed`` (``framed_png``, ``framed_svg``): a chart's download, its context drawn inside the image.
- :mod:`reporting.slides`: ``Slide`` and ``Deck``, the neutral description of a meeting deck.
- :mod:`reporting.pptx`: ``deck_pptx``; :mod:`reporting.pdf`: ``deck_pdf``.
- :mod:`reporting.view_export`: one view, given by its browser URL, as any of these files (``python -m reporting view``).

Submodules are imported explicitly (``from reporting.tables import csv_bytes``): importing this
package loads neither kaleido nor Playwright.
"""
