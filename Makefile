# The two commands of the README:  make run  and  make test.
# Both create the virtual environment (.venv) and install the project on first use.
PYTHON ?= python3
# The languages: flows/locales.py (read when a target needs them, once .venv exists).
LANGS = $(shell $(BIN)/python -c 'from flows.locales import LOCALES; print(*LOCALES)')
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck browser unit i18n check-i18n lock model clean

# Dependencies come from the lock (exact versions and hashes), then the project itself.
$(STAMP): pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes \
		-r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps \
		--no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/pat-bot

test: $(STAMP) lint typecheck browser unit

browser:
	tests/install-browser.sh

lint: $(STAMP)
	$(BIN)/pybabel compile --statistics -d locales -D messages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pat-bot check

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

# Train the two learned models from the labelled sets, each with cross-validation by writer:
# distress (flows/model_train.py: the threshold, flows/model/distress.json) and topics
# (flows/topics_train.py: flows/model/topics.json), package data, and the lexicon's real words
# (flows/lexicon/real_words.json). Run it after changing a training set, the lexicon or a flow
# file's examples; a test fails while they are older. About 25 minutes on two cores, most of it
# cross-validation (ten trainings of each model).
model: $(STAMP)
	$(BIN)/python -m flows.model_train
	$(BIN)/python -m flows.topics_train

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

# Write the lock files from pyproject.toml's ranges: requirements.lock (what the bot needs, for
# Docker), requirements-dev.lock (that, the test tools and the build backend, for make) and
# requirements-build.lock (the build backend, for Docker). Pins already there are kept;
# `make lock UPGRADE=--upgrade` moves every pin to the newest release the ranges allow.
LOCK := $(BIN)/uv pip compile --quiet --generate-hashes --universal --python-version 3.11 \
	--no-header --annotation-style line $(UPGRADE)
lock: $(STAMP)
	$(LOCK) pyproject.toml -o requirements.lock
	$(LOCK) pyproject.toml --extra dev -o requirements-dev.lock
	printf 'setuptools>=77\n' | $(LOCK) - -o requirements-build.lock

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
