# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON_SYSTEM ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
STAMP := $(VENV)/.requirements-installed

.PHONY: run test setup shared-data check bench chromium clean-db

# first, before anything is installed (system Python, standard library only): the reference data
# the app reads (../shared/data or OBSERVATOIRE_SHARED_DATA); when missing, the files it needs,
# where each comes from, and « python3 -m data_access.fetch_reference » to fetch them
shared-data:
	@$(PYTHON_SYSTEM) -m data_access.check_shared

$(PY): | shared-data
	$(PYTHON_SYSTEM) -m venv $(VENV)

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# migrations, indicator catalogue, both plans and their territories, reference data, demo data
# when the database has none, boundary layers when missing: each step is a no-op when done
setup: shared-data $(STAMP)
	$(PY) -m data_access setup
	$(PY) -m geo build --hors-ligne

run: setup
	$(PY) -m streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT)

# Debian's chromium for the browser tests (Playwright drives /usr/bin/chromium; no browser download)
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installation de chromium (apt)…"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium poppler-utils; }

test: setup chromium
	$(PY) -m pytest

# builds its own databases in a temporary folder (SQLite, and PostgreSQL when
# OBSERVATOIRE_TEST_POSTGRES_URL is set); prints the table and writes benchmarks/results/
bench: setup chromium
	$(PY) -m benchmarks $(BENCH_ARGS)

check: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(MAKE) test

clean-db:
	rm -f data/observatoire.db data/observatoire.db-wal data/observatoire.db-shm
