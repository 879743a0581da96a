# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON_SYSTEM ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
STAMP := $(VENV)/.requirements-installed

# What the set-up step reads, so that a second `make run` skips it when none of it changed
# (issue 19: « a restart in seconds »). Its settings (database URL, reference data, boundaries,
# map cache) name the stamp: another database has a stamp of its own. Its inputs: the installed
# requirements, the set-up code and migrations (data_access/, geo/), plans/, the reference data,
# the SQLite file (missing: FORCE) and the map cache's folders (a removed layer changes its folder).
DB_URL := $(or $(OBSERVATOIRE_DATABASE_URL),sqlite:///data/observatoire.db)
SHARED_DATA := $(or $(OBSERVATOIRE_SHARED_DATA),../shared/data)
GEO_SOURCE := $(or $(OBSERVATOIRE_GEO_SOURCE),$(SHARED_DATA)/geo)
GEO_CACHE := $(or $(OBSERVATOIRE_GEO_CACHE),data/geo)
DB_FILE := $(if $(filter sqlite:///%,$(DB_URL)),$(patsubst sqlite:///%,%,$(firstword $(subst ?, ,$(DB_URL)))))
SETUP_KEY := $(firstword $(shell printf '%s\n' '$(DB_URL)' '$(SHARED_DATA)' '$(GEO_SOURCE)' '$(GEO_CACHE)' | cksum))
SETUP_STAMP := $(VENV)/.setup-$(SETUP_KEY)
SETUP_INPUTS := $(STAMP) \
	$(shell find data_access geo plans $(SHARED_DATA) $(GEO_SOURCE) -type f -not -name '*.pyc' 2>/dev/null) \
	$(if $(DB_FILE),$(or $(wildcard $(DB_FILE)),FORCE)) \
	$(or $(wildcard $(GEO_CACHE)),FORCE) $(wildcard $(GEO_CACHE)/*/) $(wildcard $(GEO_CACHE)/*/*/)

.PHONY: run test setup shared-data check bench chromium clean-db FORCE

# first, before anything is installed (system Python, standard library only): the reference data
# the app reads (../shared/data or OBSERVATOIRE_SHARED_DATA); when missing, the files it needs,
# where each comes from, and « python3 -m data_access.fetch_reference » to fetch them
shared-data:
	@$(PYTHON_SYSTEM) -m data_access.check_shared

$(PY): | shared-data
	$(PYTHON_SYSTEM) -m venv $(VENV)

$(STAMP): requirements.txt | $(PY)
	@echo "Installation des dépendances (≈ 3 min, une seule fois)…"
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install --progress-bar on -r requirements.txt
	touch $(STAMP)

# migrations, indicator catalogue, both plans and their territories, reference data, demo data
# when the database has none, boundary layers when missing: each step is a no-op when done; one
# process (`python -m geo prepare`: data_access setup, then geo build --hors-ligne), skipped when
# the stamp is newer than every input
setup: shared-data $(SETUP_STAMP)

$(SETUP_STAMP): $(SETUP_INPUTS) | shared-data
	$(PY) -m geo prepare
	@touch $@

FORCE:

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
	rm -f data/observatoire.db data/observatoire.db-wal data/observatoire.db-shm $(VENV)/.setup-*
