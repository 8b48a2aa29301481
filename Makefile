# Anchang: `make run` starts the platform, `make test` tests it (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONWARNINGS := ignore
export GATEWAY_PORT ?= 8000

.PHONY: secret run test test-unit test-service test-e2e test-screens bench fuzz migrate seed services clean lint help
help:
	@echo "make run    start RabbitMQ if needed, migrate, seed a demo, run 4 services + gateway"
	@echo "make test   lint, then the whole suite (unit, service on the real broker, end-to-end, browser)"
	@echo "make test-screens  the browser tests alone (Playwright + Chromium; SCREENS_WRITE=1 redraws docs/screens)"
	@echo "make lint   ruff and the import contracts (services independent, rules pure, gateway on schemas)"
	@echo "make bench  benchmarks (figures and ratios against a baseline measured in the same run; load: docs/bench.md)"
	@echo "make fuzz   schemathesis over the OpenAPI document, 100 examples per operation (FUZZ_EXAMPLES)"
	@echo "make clean  remove var/ (databases) and caches"

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "[setup] installing pinned dependencies into $(VENV)"
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@

# the screens' front-end packages, pinned by gateway/web/package-lock.json (no install scripts:
# nothing runs or phones home at install; nothing is fetched at run time)
WEB := gateway/web
web: $(WEB)/node_modules/.installed
$(WEB)/node_modules/.installed: $(WEB)/package.json $(WEB)/package-lock.json
	@echo "[setup] installing the screens' front-end packages (npm ci in $(WEB))"
	@cd $(WEB) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

services:
	@bash deploy/ensure-services.sh

migrate: $(VENV)/.installed
	@$(PY) -m services.common.migrate upgrade all

# the event queues first: the seed's events wait there for services that start after attendance
seed: migrate
	@$(PY) -m services.common.topology declare
	@$(PY) -m services.attendance.cli seed-demo

# A strong token secret generated once for this machine (secure by default: no process starts
# with the development secret unless ANCHANG_MODE=development).
secret: var/jwt_secret
var/jwt_secret:
	@mkdir -p var && umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(48))" > $@
	@echo "[setup] generated a JWT secret in $@ (keep it; tokens are signed with it)"

run: $(VENV)/.installed web services secret seed
	@echo "Gateway: http://localhost:$(GATEWAY_PORT)/  (API docs: /docs, health: /v1/health)"
	@echo "Demo logins (password anchang-demo): admin, manager, supervisor, clerk, reception, storekeeper, agent, li, zhang, liu, chen"
	@echo "Ctrl-C stops everything."
	@mkdir -p var && ANCHANG_VAR=$${ANCHANG_VAR:-$(CURDIR)/var} exec $(VENV)/bin/supervisord -c deploy/supervisord.conf

test: $(VENV)/.installed web services lint
	@$(PY) -m pytest $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory test-screens

# the browser tests in a pytest of their own: Playwright's sync API needs an unpatched process
test-screens: $(VENV)/.installed web services
	@ANCHANG_TESTS_UNPATCHED=1 $(PY) -m pytest tests/screens $(PYTEST_ARGS)

# ruff (pyproject.toml) and import-linter's contracts (pyproject.toml [tool.importlinter])
lint: $(VENV)/.installed
	@$(VENV)/bin/ruff check --quiet . && echo "ruff: clean"
	@$(VENV)/bin/lint-imports --no-cache | sed -n '/^Contracts:/p;/BROKEN/,$$p'; \
	  test $${PIPESTATUS[0]} -eq 0

test-unit: $(VENV)/.installed
	@$(PY) -m pytest tests/unit $(PYTEST_ARGS)

# then the load figures (tests/bench/load.py, docs/bench.md): locust against 1 and 2 instances
# of each service on PostgreSQL; BENCH_SCALE=full for the issue's scale, BENCH_LOAD=0 to skip
bench: $(VENV)/.installed services
	@$(PY) -m tests.bench
	@test "$${BENCH_LOAD:-1}" = 0 || $(PY) -m tests.bench.load

# tests/e2e/test_fuzz.py at length: boundary/negative values of every parameter (coverage phase)
# and FUZZ_EXAMPLES random cases per operation, as a manager and as a consultant (make test: 4)
FUZZ_EXAMPLES ?= 100
fuzz: $(VENV)/.installed services
# one schemathesis worker: its coverage phase calls ast.parse, which on CPython 3.11 fails in
# threads now and then ("AST constructor recursion depth mismatch", cpython#106905)
	@FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_PHASES=$${FUZZ_PHASES:-examples,coverage,fuzzing} \
	  FUZZ_WORKERS=$${FUZZ_WORKERS:-1} \
	  FUZZ_TIMEOUT=$${FUZZ_TIMEOUT:-3600} $(PY) -m pytest tests/e2e/test_fuzz.py -o timeout=0 $(PYTEST_ARGS)

clean:
	rm -rf var .pytest_cache
	find . -name __pycache__ -prune -exec rm -rf {} +
