# wikisync: `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LOCALE := wikisync/locale
POT    := $(LOCALE)/wikisync.pot
PO     := $(LOCALE)/fr/LC_MESSAGES/wikisync.po
MO     := $(PO:.po=.mo)

.DEFAULT_GOAL := help
.PHONY: help venv deps test unit demo bench lint messages clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): setup.cfg setup.py pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

# The build compiles the catalog; a .po changed since (a pull) is compiled again here.
$(MO): $(PO) $(STAMP)
	$(VENV)/bin/pybabel compile -d $(LOCALE) -D wikisync

venv: $(STAMP) $(MO) ## create .venv with wikisync and its test tools

deps: venv ## install Debian's MediaWiki 1.39 and PHP if missing (apt-get, needs root)
	$(PY) -m wikisync.devwiki install-deps

test: deps ## run every test: unit tests and tests against two real local wikis
	$(PY) -m pytest -q

unit: venv ## run the fast tests only (no wiki)
	$(PY) -m pytest -q -m 'not wiki'

demo: deps ## start and seed two local wikis, then run wikisync against them
	$(PY) -m wikisync.devwiki demo

bench: deps ## benchmarks (figures printed, nothing asserted)
	$(PY) -m bench

messages: venv ## extract the messages again, update the French catalog, compile it
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ --add-location=file --sort-output \
		--omit-header -o $(POT) .
	$(VENV)/bin/pybabel update -i $(POT) -d $(LOCALE) -D wikisync -l fr --ignore-obsolete
	sed -i '/^"POT-Creation-Date: /d' $(PO)  # no churn in git
	$(VENV)/bin/pybabel compile -d $(LOCALE) -D wikisync --statistics

lint: venv ## ruff
	$(PY) -m ruff check wikisync tests

clean: ## remove the virtual environment and local wikis
	rm -rf $(VENV) .devwiki .pytest_cache .hypothesis
