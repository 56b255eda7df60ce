# Two commands do all set-up on a fresh Debian machine: `make run` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
STAMP := .venv/.installed
NODE_STAMP := node_modules/.installed

.PHONY: run test deps fonts pdf pdftools browser nginx deploy-check unit integration e2e bench clean audit

run: deps fonts pdf
	$(PY) -m deploy.run

test: deps fonts pdf pdftools browser deploy-check
	$(PY) -m pytest tests -q -p no:cacheprovider

unit: deps
	$(PY) -m pytest tests/unit -q

integration: deps pdf pdftools
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

APT := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends

# CJK fonts: WenQuanYi Zen Hei for photo watermarks and the console; Noto Serif CJK SC (宋体 style, with a
# bold) typesets the enforcement documents and is embedded in their PDFs (docs/decisions/0001).
fonts:
	@{ fc-list 2>/dev/null | grep -qi "WenQuanYi" && fc-list | grep -q "Noto Serif CJK SC"; } || \
	  { apt-get update -qq && $(APT) fonts-wqy-zenhei fonts-noto-cjk fontconfig >/dev/null; }

# WeasyPrint (the PDF documents) needs Debian's Pango, and HarfBuzz's subsetter to embed font subsets.
pdf: fonts
	@{ ldconfig -p | grep -q libpangoft2-1.0.so.0 && ldconfig -p | grep -q libharfbuzz-subset.so.0; } || \
	  { apt-get update -qq && $(APT) libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null; }

# poppler-utils: the tests read PDFs back (pdftotext, pdffonts, pdfimages) and draw screenshots (pdftoppm).
pdftools:
	@command -v pdftotext >/dev/null || { apt-get update -qq && $(APT) poppler-utils >/dev/null; }

# Debian's Chromium for the browser tests (never a browser download of Playwright's own).
browser: fonts
	@command -v chromium >/dev/null || { apt-get update -qq && $(APT) chromium >/dev/null; }

# nginx from Debian: `make deploy-check` tests the production reverse-proxy configuration with it (deploy/).
nginx:
	@command -v nginx >/dev/null || { apt-get update -qq && $(APT) nginx >/dev/null; }

# The production configuration (deploy/templates) rendered and checked offline: nginx -t, systemd-analyze verify.
deploy-check: deps nginx
	$(PY) -m deploy.check

bench: deps
	$(PY) bench/import_registry.py --enterprises 100000

# Known advisories for the installed Python and npm packages (not part of `make test`: needs the advisory
# services, and says plainly when they cannot be reached). deploy/advisories.py.
audit: $(STAMP)
	$(PY) deploy/advisories.py

clean:
	rm -rf .venv node_modules var .pytest_cache
