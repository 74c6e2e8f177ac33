# Two commands set everything up: `make run` (demo on SQLite) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py
# The suite's second pass: this machine's PostgreSQL, database `test` (each test makes its own
# schema, so runs never collide), and Redis for the shared rate-limit test.
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
export TEST_POSTGRES_URL TEST_REDIS_URL
# pytest exits 5 when it collected nothing: a broken run, never a pass, so say so and fail.
PYTEST = $(BIN)/pytest -q $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; fi; exit $$status

.PHONY: run serve test ruff-check test-sqlite test-postgres lint format bench mutation clean screenshots

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# axe-core for the browser tests (tests/browser) and oidc-provider for the SSO tests (tests/sso),
# pinned in package-lock.json. Without npm those tests skip and say why; Chromium itself is
# Debian's (.ci/run installs it).
node_modules/.package-lock.json: package.json package-lock.json
	if command -v npm >/dev/null; then npm ci --no-audit --no-fund; else echo "npm missing: the browser and SSO tests will skip" >&2; fi

# `make run PORT=5001` for another port. Development captures email instead of sending it
# (MAIL_BACKEND=capture): HR reads each message on the outbox page.
PORT ?= 5000
run: export LMS_ENV = development
run: export LMS_BASE_URL ?= http://127.0.0.1:$(PORT)
run: $(VENV)/.runtime
	$(BIN)/flask db upgrade
	$(BIN)/flask lms sync-content
	$(BIN)/flask lms demo --if-empty
	$(BIN)/flask lms send-mail
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# Production mode: needs SECRET_KEY (and DATABASE_URL etc.); see README, Deployment.
serve: export LMS_ENV = production
serve: $(VENV)/.runtime
	@test -n "$$SECRET_KEY" || { echo "make serve runs in production mode: set SECRET_KEY" >&2; exit 1; }
	$(BIN)/flask db upgrade
	$(BIN)/flask lms sync-content
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# ruff and the whole suite on SQLite and on PostgreSQL, side by side (a pass per core; each
# prints when it ends). Every part runs even if another fails; the status is non-zero if any did.
# One after the other they took 15 min on a 2-core machine; side by side, 10.
test:
	$(MAKE) --no-print-directory -k -j2 --output-sync=target ruff-check test-sqlite test-postgres

ruff-check: $(VENV)/.dev
	$(BIN)/ruff check .

test-sqlite: export LMS_ENV = testing
test-sqlite: export TEST_DATABASE_URL =
test-sqlite: $(VENV)/.dev node_modules/.package-lock.json
	$(PYTEST)

test-postgres: export LMS_ENV = testing
test-postgres: export TEST_DATABASE_URL = $(TEST_POSTGRES_URL)
test-postgres: $(VENV)/.dev node_modules/.package-lock.json
	$(PYTEST)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.dev node_modules/.package-lock.json
	command -v wrk >/dev/null || { apt-get update && apt-get install -y --no-install-recommends wrk; }
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

# Mutation testing of the rule modules, each against its own tests (docs/mutation.md); not part
# of `make test`. MUTATION_ARGS picks modules and workers, e.g. MUTATION_ARGS="--workers 1 status".
mutation: $(VENV)/.dev
	$(BIN)/python tools/mutation.py $(MUTATION_ARGS)

# PNGs of the main pages at 1280 and 375 px, from a fresh demo database, into docs/screenshots/.
screenshots: export LMS_ENV = development
screenshots: $(VENV)/.dev node_modules/.package-lock.json
	$(BIN)/python -m tests.browser.screenshots docs/screenshots

clean:
	rm -rf $(VENV) instance/attest.db .pytest_cache node_modules
