# The commands the README documents. Every target installs what it needs first.
SHELL := /bin/bash
# uv from PATH, else the copy pip installs as a Python module (see the install target).
UV ?= $(shell command -v uv 2> /dev/null || echo python3 -m uv)
PYTEST := $(UV) run pytest
ROLE ?= pmo_admin
EMAIL ?= pmo-admin@example.com
# The services are the folders under services/ (pmo_stack.services.SERVICES lists the same four;
# tests/contract checks that they agree), so adding one needs no edit here.
SERVICES := $(notdir $(wildcard services/*))
UNIT_SUITES := libs/common/tests $(foreach s,$(SERVICES),services/$(s)/tests)
# Each suite is type-checked on its own: their conftest modules share one name.
TEST_SUITES := $(UNIT_SUITES) tests/contract tests/integration tests/e2e tests/api tests/security \
	tests/faults tests/browser
SOURCES := libs/common/src $(foreach s,$(SERVICES),services/$(s)/src) tools/stack/src bench
# Coverage of the code under test, gathered over the unit and integration suites and printed
# at the end of `make test` (a report to read, no threshold to game).
COVERAGE := --cov=pmo_common $(foreach s,$(SERVICES),--cov=pmo_$(s)) --cov-report=

.PHONY: help install run token test lint format test-unit test-integration test-e2e test-api test-security \
	test-faults test-browser screenshots \
	coverage-report \
	schemas schemas-check deploy-check bench clean

help:
	@echo "make run          start Kafka, the four services and an SMTP sink (Ctrl-C stops all)"
	@echo "make test         lint, unit suites, then integration and end-to-end suites"
	@echo "make test-faults  kill, stop and slow the stack's parts under load; count what was lost"
	@echo "make screenshots  the dashboard in headless Chromium, writing docs/screenshots/*.png"
	@echo "make token ROLE=project_manager EMAIL=ada@example.com   mint a development token"
	@echo "make lint | format | schemas | deploy-check | bench | clean"
	@echo "make bench-stack  the four services on Kafka, PostgreSQL and SQLite, beside baselines (<10 min)"

install: .venv/.installed

.venv/.installed: pyproject.toml uv.lock libs/common/pyproject.toml services/*/pyproject.toml tools/stack/pyproject.toml
	@$(UV) --version > /dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $@

run: install
	$(UV) run python -m pmo_stack run

token: install
	@$(UV) run python -m pmo_stack token --role "$(ROLE)" --email "$(EMAIL)"

test: install lint test-unit test-integration test-e2e test-api test-security test-faults test-browser \
	coverage-report

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy $(SOURCES)
	@for suite in $(TEST_SUITES); do echo "mypy $$suite"; $(UV) run mypy $$suite || exit 1; done
	$(UV) run lint-imports
	$(UV) run python -m pmo_common.events.schema_export --check

format: install
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

test-unit: install
	$(PYTEST) -q $(COVERAGE) $(UNIT_SUITES)

test-integration: install
	$(PYTEST) -q $(COVERAGE) --cov-append tests/contract tests/integration

coverage-report: install
	$(UV) run coverage report --skip-covered --skip-empty --sort=cover

test-e2e: install
	$(PYTEST) -q -s tests/e2e

# Schemathesis against each running service's /openapi.json, as a PMO admin and as a project
# manager (fixed seed, bounded budget); prints operations, cases and failures per service.
test-api: install
	$(PYTEST) -q tests/api

# OWASP API Top 10 checks against the running services (and an in-process notifications app).
test-security: install
	$(PYTEST) -q tests/security

# Faults injected into the running stack under load (kill -9, broker, database, receivers down or
# slow, replicas, dead-letter replay); prints one line of counts per scenario (tests/faults).
test-faults: install
	$(PYTEST) -q -s tests/faults

# The web view (/ui/ of monitoring) in Debian's headless Chromium, driven by Selenium through
# Debian's chromedriver, checked with axe-core (pinned, fetched by npm into the cache); each page's
# screenshot lands in tests/browser/artefacts/ (docs/adr/0020-web-view.md).
AXE_CORE_VERSION := 4.11.1
AXE_CORE_DIR := $(or $(PMO_CACHE_DIR),.cache)/axe-core-$(AXE_CORE_VERSION)
AXE_CORE_JS := $(AXE_CORE_DIR)/node_modules/axe-core/axe.min.js

$(AXE_CORE_JS):
	npm install --prefix $(AXE_CORE_DIR) --no-save --no-package-lock --no-audit --no-fund \
		--ignore-scripts axe-core@$(AXE_CORE_VERSION)

test-browser: install $(AXE_CORE_JS)
	PMO_TEST_AXE_CORE=$(AXE_CORE_JS) $(PYTEST) -q tests/browser

# The same run, also writing the README's screenshots (docs/screenshots/: portfolio, project, glossary).
screenshots: install $(AXE_CORE_JS)
	PMO_TEST_AXE_CORE=$(AXE_CORE_JS) PMO_WRITE_SCREENSHOTS=1 $(PYTEST) -q tests/browser

schemas: install
	$(UV) run python -m pmo_common.events.schema_export --write

deploy-check:
	bash deploy/validate.sh

bench: install
	$(UV) run python -m bench
	$(UV) run python -m bench.portfolio_selection

# Each figure of the running stack beside its baseline, on PostgreSQL and SQLite (bench/README.md).
.PHONY: bench-stack
bench-stack: install
	$(UV) run python -m bench.stack

clean:
	rm -rf .data .pytest_cache .mypy_cache .ruff_cache .coverage

# Gettext catalogs (docs/adr/0022-languages.md). i18n-extract writes each service's messages.pot
# from its code and templates; i18n-update merges it into every language's .po (new messages
# come in untranslated, and the completeness test fails until someone translates them).
MONITORING_PKG := services/monitoring/src/pmo_monitoring
.PHONY: i18n-extract i18n-update i18n-extract-monitoring i18n-update-monitoring
i18n-extract: i18n-extract-monitoring
i18n-update: i18n-update-monitoring

i18n-extract-monitoring: install
	$(UV) run pybabel extract -F $(MONITORING_PKG)/babel.cfg --no-location --sort-output \
		--width 100 --project "PMO monitoring" --copyright-holder "PMO maintainers" \
		-o $(MONITORING_PKG)/locale/messages.pot $(MONITORING_PKG)

i18n-update-monitoring: i18n-extract-monitoring
	$(UV) run pybabel update -D messages -i $(MONITORING_PKG)/locale/messages.pot \
		-d $(MONITORING_PKG)/locale --width 100 --no-fuzzy-matching --ignore-obsolete

# Notifications' e-mails, digests and chat messages (docs/adr/0023-messages-in-the-reader-language.md).
NOTIFICATIONS_PKG := services/notifications/src/pmo_notifications
.PHONY: i18n-extract-notifications i18n-update-notifications
i18n-extract: i18n-extract-notifications
i18n-update: i18n-update-notifications

i18n-extract-notifications: install
	$(UV) run pybabel extract --no-location --sort-output \
		--width 100 --project "PMO notifications" --copyright-holder "PMO maintainers" \
		-o $(NOTIFICATIONS_PKG)/locale/messages.pot $(NOTIFICATIONS_PKG)

i18n-update-notifications: i18n-extract-notifications
	$(UV) run pybabel update -D messages -i $(NOTIFICATIONS_PKG)/locale/messages.pot \
		-d $(NOTIFICATIONS_PKG)/locale --width 100 --no-fuzzy-matching --ignore-obsolete
