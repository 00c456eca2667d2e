# The front door: `make demo` and `make test` (both start with `make install`).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: install install-production demo test lint format messages lock clean

install: $(VENV)/.installed

# Runtime pins (requirements.lock) and the development tools (requirements-dev.lock): the demo and
# the tests need both. A production install takes requirements.lock only (docs/operations.md).
$(VENV)/.installed: requirements.lock requirements-dev.lock requirements-data.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 'setuptools>=77' wheel
	$(BIN)/python -m pip install --quiet -r requirements.lock -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-data.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# A server: the runtime pins only (no test tools, Playwright, mypy or ruff), the package itself
# installed non-editable.
install-production:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 'setuptools>=77' wheel
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-data.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation .

demo: install
	$(BIN)/madoguchi demo --port $(PORT)

# The whole suite on SQLite (with browser tests), then again on PostgreSQL when one is reachable;
# the PostgreSQL run happens even when the SQLite run failed, and the target fails if either did.
# The last lines say what ran and what was skipped, and why.
test: install
	@sqlite=0; pg=skipped; \
	$(BIN)/python -m pytest -n 2 || sqlite=$$?; \
	if $(BIN)/python -c "import psycopg; psycopg.connect('$(TEST_PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== PostgreSQL: $(TEST_PG_URL)"; \
	  DATABASE_URL=$(TEST_PG_URL) $(BIN)/python -m pytest -n 2 -m "not browser"; pg=$$?; \
	fi; \
	browser=$$($(BIN)/python -c "from madoguchi.conftest import _chromium; print(_chromium() or '')"); \
	echo "== make test: SQLite suite $$(test $$sqlite = 0 && echo passed || echo FAILED)"; \
	if [ -n "$$browser" ]; then echo "== browser tests: ran in $$browser"; \
	else echo "== browser tests: skipped, no chromium (apt-get install chromium fonts-noto-cjk)"; fi; \
	case $$pg in \
	  skipped) echo "== PostgreSQL suite: skipped, no server at $(TEST_PG_URL) (set TEST_PG_URL)";; \
	  0) echo "== PostgreSQL suite: passed ($(TEST_PG_URL))";; \
	  *) echo "== PostgreSQL suite: FAILED ($(TEST_PG_URL))";; \
	esac; \
	test $$sqlite = 0 && { test $$pg = 0 || test $$pg = skipped; }

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
	# Residents' languages: every resident-facing message (core/resident_messages.py) is translated;
	# `madoguchi untranslated_resident_messages` lists what is missing.
	cd src/madoguchi && DJANGO_SETTINGS_MODULE=madoguchi.settings.test ../../$(BIN)/madoguchi makemessages -l zh_Hans -l ko -l vi -l pt_BR --no-obsolete --no-wrap --ignore 'tests/*'
	cd src/madoguchi && DJANGO_SETTINGS_MODULE=madoguchi.settings.test ../../$(BIN)/madoguchi compilemessages -l en -l zh_Hans -l ko -l vi -l pt_BR
	cd src/madoguchi && DJANGO_SETTINGS_MODULE=madoguchi.settings.test ../../$(BIN)/madoguchi untranslated_resident_messages | grep -v '^  '

# Regenerate the exact pins after changing dependencies in pyproject.toml: the runtime set first,
# then what the dev extra adds on top of it.
lock:
	rm -rf /tmp/madoguchi-lock && $(PYTHON) -m venv /tmp/madoguchi-lock
	/tmp/madoguchi-lock/bin/pip install --quiet -e .
	(echo '# Runtime pins: what a production install needs (`pip install -r requirements.lock`).'; \
	 echo '# Development and test pins are in requirements-dev.lock (`make lock` writes both).'; \
	 /tmp/madoguchi-lock/bin/pip freeze --exclude-editable | grep -v '^madoguchi') > requirements.lock
	/tmp/madoguchi-lock/bin/pip install --quiet -e '.[dev]'
	(echo '# Development and test pins (pytest, Playwright, ruff, mypy …), on top of requirements.lock.'; \
	 /tmp/madoguchi-lock/bin/pip freeze --exclude-editable | grep -v '^madoguchi' | grep -vxFf requirements.lock) > requirements-dev.lock

clean:
	rm -rf $(VENV) var
