# Two commands for a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
ADDR ?= 127.0.0.1:8000
LOG_LEVEL ?= warning

.PHONY: run test fuzz loadtest install lint format check-deploy clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py refresh_audiences
	$(BIN)/python manage.py ensure_admin --role-users --addr $(ADDR)
	$(BIN)/python manage.py runall --addr $(ADDR) --log-level $(LOG_LEVEL)

test: install
	$(BIN)/python -m pytest -q -n $${TEST_WORKERS:-2}

# The embedded default (`make run`) is SQLite: the apps with hand-written SQL (loyalty, campaigns, messaging)
# and make run's own start-up, on a throwaway SQLite database.
test-sqlite: install
	DATABASE_URL=sqlite:///$$(mktemp -d)/ci.sqlite3 $(BIN)/python -m pytest -q -n $${TEST_WORKERS:-2} -m "not processes" \
		tests/loyalty tests/campaigns tests/messaging tests/foundation/test_local_run.py

# Schemathesis over every API operation with many more examples than `make test`'s pass, and new ones each run.
fuzz: install
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-500} FUZZ_RANDOM=1 $(BIN)/python -m pytest -q -n $${TEST_WORKERS:-2} -m fuzz tests/fuzz

# The storefront mix under load, step by step, and its knee against issue #23's goal (docs/benchmarks.md,
# "The storefront path"): PostgreSQL in DATABASE_URL, Redis in CACHE_URL; seeds 100K customers when there are none.
# More options: LOADTEST_ARGS="--steps 10,40,80 --step-seconds 30 --workers 3" (manage.py loadtest --help).
loadtest: install
	$(BIN)/python manage.py loadtest $(LOADTEST_ARGS)

check-deploy: install
	DJANGO_DEBUG=0 ALLOWED_HOSTS=promotions.example.com \
	  SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var/ staticfiles/
