"""What the first page's run imports (issue 19): the heavy libraries that only some clicks need
stay out of it, so that ``make run`` paints its first page quickly. Measured 2026-12: scipy and
scikit-learn (through mapclassify, for a map's classes) 0,8 s, openpyxl (an Excel download)
0,15 s, alembic (migrations) 0,1 s, an argon2 hash (a sign-in) 0,1 s."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

# the modules app.py's run and the home page (pages/vue_ensemble.py) import
FIRST_RUN = """
import sys
from data_access import logs, vocabulary
from ui import accessibility, auth, boundary, cache, filters, presentation, seance_nav, render
from views import vue_ensemble
print(" ".join(sorted(sys.modules)))
"""
LATER = ("openpyxl", "alembic", "mapclassify", "scipy", "sklearn", "pptx", "playwright")


def test_the_first_page_imports_none_of_the_libraries_later_clicks_need():
    loaded = set(subprocess.run([sys.executable, "-c", FIRST_RUN], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split())
    assert "ui.render" in loaded
    assert sorted(name for name in LATER if name in loaded) == []
