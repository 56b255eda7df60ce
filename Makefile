# Two commands do all set-up on a fresh Debian machine: `make run` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
STAMP := .venv/.installed
NODE_STAMP := node_modules/.installed

.PHONY: run test deps browser unit integration e2e bench clean

run: deps
	$(PY) -m deploy.run

test: deps browser
	$(PY) -m pytest tests -q -p no:cacheprovider

unit: deps
	$(PY) -m pytest tests/unit -q

integration: deps
	$(PY) -m pytest tests/integration -q

e2e: deps browser
	$(PY) -m pytest tests/e2e -q

deps: $(STAMP) $(NODE_STAMP)

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $@

$(NODE_STAMP): package.json package-lock.json
	# --ignore-scripts: pouchdb-server's optional sqlite3 build is not used (LevelDB ships prebuilt).
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# Debian's Chromium for the browser tests (never a browser download of Playwright's own), and a CJK font.
browser:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "WenQuanYi\|Noto Sans CJK"; then \
	  export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && \
	  apt-get install -y -qq --no-install-recommends chromium fonts-wqy-zenhei fontconfig >/dev/null; fi

bench: deps
	$(PY) bench/import_registry.py --enterprises 100000

clean:
	rm -rf .venv node_modules var .pytest_cache
