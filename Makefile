# The front door: `make demo` and `make test` (both start with `make install`).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: install demo test lint format messages lock clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock requirements-data.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 'setuptools>=77' wheel
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-data.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

demo: install
	$(BIN)/madoguchi demo --port $(PORT)

# The whole suite on SQLite (with browser tests), then again on PostgreSQL when one is reachable.
test: install
	$(BIN)/python -m pytest -n 2
	@if $(BIN)/python -c "import psycopg; psycopg.connect('$(TEST_PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== PostgreSQL: $(TEST_PG_URL)"; \
	  DATABASE_URL=$(TEST_PG_URL) $(BIN)/python -m pytest -n 2 -m "not browser"; \
	else \
	  echo "PostgreSQL tests skipped: no server reachable at $(TEST_PG_URL) (set TEST_PG_URL)"; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=madoguchi.settings.test $(BIN)/madoguchi makemigrations --check --dry-run
	$(BIN)/mypy src
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the English catalogue after changing UI text; translate the new entries in
# src/madoguchi/locale/en/LC_MESSAGES/*.po, then `make messages` again to compile (needs gettext).
messages: install
	cd src/madoguchi && DJANGO_SETTINGS_MODULE=madoguchi.settings.test ../../$(BIN)/madoguchi makemessages -l en --no-obsolete --ignore 'tests/*'
	cd src/madoguchi && DJANGO_SETTINGS_MODULE=madoguchi.settings.test ../../$(BIN)/madoguchi makemessages -l en -d djangojs --no-obsolete --ignore 'tests/*'
	cd src/madoguchi && DJANGO_SETTINGS_MODULE=madoguchi.settings.test ../../$(BIN)/madoguchi compilemessages -l en

# Regenerate the exact pins after changing dependencies in pyproject.toml.
lock:
	rm -rf /tmp/madoguchi-lock && $(PYTHON) -m venv /tmp/madoguchi-lock
	/tmp/madoguchi-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/madoguchi-lock/bin/pip freeze --exclude-editable | grep -v '^madoguchi' > requirements.lock

clean:
	rm -rf $(VENV) var
