# The two commands of the README:  make run  and  make test.
# Both create the virtual environment (.venv) and install the project on first use.
PYTHON ?= python3
# The languages: flows/locales.py (read when a target needs them, once .venv exists).
LANGS = $(shell $(BIN)/python -c 'from flows.locales import LOCALES; print(*LOCALES)')
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck unit i18n check-i18n clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/pat-bot

test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/pybabel compile --statistics -d locales -D messages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pat-bot check

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

# Re-extract every text (code and flows) into locales/messages.pot and update each catalog.
# A changed French text marks its translations fuzzy: they need review.
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output \
		--project pat-bot --msgid-bugs-address pat@smes.be -o locales/messages.pot .
	for lang in $(LANGS); do \
		if [ -f locales/$$lang/LC_MESSAGES/messages.po ]; then \
			$(BIN)/pybabel update -i locales/messages.pot -d locales -l $$lang --no-wrap --ignore-obsolete; \
		else \
			$(BIN)/pybabel init -i locales/messages.pot -d locales -l $$lang --no-wrap; \
		fi; \
	done

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
