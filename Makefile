# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 5000
# pytest-xdist processes for `make test`: one per core (each has its own databases, search
# indexes and served app); whole files stay together so module fixtures are built once.
TEST_WORKERS ?= auto
PYTEST := $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

.PHONY: run test test-postgres lint install install-test clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(PY) pyproject.toml
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# NHS.UK frontend styles for the public pages, from npm (frontend/package-lock.json), compiled
# into directory/static/vendor/nhsuk/ (not committed), and GOV.UK's accessible-autocomplete for
# the workspace's language pickers, copied into directory/static/vendor/autocomplete/, and
# Leaflet with its marker clustering for the maps, copied into directory/static/vendor/leaflet/.
# Without npm the pages still work, unstyled, languages are chosen from plain select boxes, and
# there are no maps (every service is in the list either way).
directory/static/vendor/nhsuk/.installed: frontend/package.json frontend/package-lock.json frontend/nhsuk.scss
	@if ! command -v npm >/dev/null 2>&1; then \
	  echo "npm not found: the public pages will work without the NHS.UK styles"; \
	elif npm ci --prefix frontend --no-audit --no-fund && \
	  npm run --prefix frontend --silent build && \
	  rm -rf directory/static/vendor/nhsuk/assets && \
	  cp -R frontend/node_modules/nhsuk-frontend/dist/nhsuk/assets directory/static/vendor/nhsuk/assets && \
	  cp frontend/node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js directory/static/vendor/nhsuk/ && \
	  mkdir -p directory/static/vendor/autocomplete && \
	  cp frontend/node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.js \
	     frontend/node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.css \
	     directory/static/vendor/autocomplete/ && \
	  rm -rf directory/static/vendor/leaflet && mkdir -p directory/static/vendor/leaflet && \
	  cp -R frontend/node_modules/leaflet/dist/leaflet.js frontend/node_modules/leaflet/dist/leaflet.css \
	     frontend/node_modules/leaflet/dist/images frontend/node_modules/leaflet/LICENSE \
	     directory/static/vendor/leaflet/ && \
	  cp frontend/node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
	     frontend/node_modules/leaflet.markercluster/dist/MarkerCluster.css \
	     frontend/node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css \
	     directory/static/vendor/leaflet/ && \
	  cp frontend/node_modules/leaflet.markercluster/MIT-LICENCE.txt \
	     directory/static/vendor/leaflet/markercluster-LICENCE.txt; then \
	  touch $@; \
	else \
	  echo "WARNING: building the NHS.UK styles failed; the pages will work unstyled"; \
	fi

install: $(VENV)/.installed directory/static/vendor/nhsuk/.installed
install-test: $(VENV)/.installed-test directory/static/vendor/nhsuk/.installed
	scripts/ensure-chromium

run: install
	$(VENV)/bin/directory init
	$(VENV)/bin/directory seed --if-empty
	$(VENV)/bin/directory reindex
	@echo "Demo accounts (demo catalogue only): admin@example.org / demo-admin-password,"
	@echo "  linkworker@example.org / demo-linkworker-password, provider@example.org / demo-provider-password"
	$(VENV)/bin/directory serve --host $(HOST) --port $(PORT)

# Style (ruff) and types (mypy) of the app and the matcher, with pyproject.toml's settings:
# seconds, so `make test` runs it before the suite.
lint: install-test
	$(VENV)/bin/ruff check directory matcher
	$(VENV)/bin/mypy directory matcher

test: install-test lint
	$(PYTEST)

# The same suite against a throwaway PostgreSQL server (installed with apt-get if missing).
test-postgres: install-test
	scripts/with-postgres $(PYTEST)

clean:
	rm -rf $(VENV) instance .pytest_cache
