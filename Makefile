# Loujian's two commands:  make run   (install + demo county + server on :8000)
#                          make test  (install test needs + the whole suite)
VENV   ?= .venv
PYTHON ?= python3
PORT   ?= 8000
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app server

.PHONY: run serve test install install-dev test-system-packages demo migration

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

run: install
	$(FLASK) db upgrade
	$(FLASK) demo create --if-empty
	$(MAKE) --no-print-directory serve

# Threaded workers: a sync worker is killed after 30 s without a heartbeat, which a county-size
# export (built whole before its first byte, up to minutes) would not survive.
serve:
	@echo "楼检已启动： http://127.0.0.1:$(PORT)/  （演示账号见 README）"
	PORT=$(PORT) $(VENV)/bin/gunicorn --workers 2 --threads 4 --bind 127.0.0.1:$(PORT) --access-logfile - "server:create_app()"

# What the tests need from Debian (never from a test tool's download), installed when missing:
# Chromium for the browser tests, a CJK font so their screenshots and printed pages show Chinese
# rather than empty boxes, Node for the JavaScript tests (tests/js/, run by
# tests/unit/test_js_parity.py), and for the print tests (tests/exports/) LibreOffice to print
# the XLSX exports to PDF, poppler to read and draw the PDF, and Carlito, metrically Calibri
# (the exports' font), so that LibreOffice lays their columns out as Excel does.
test-system-packages:
	@set -- $$(command -v chromium >/dev/null 2>&1 || echo chromium) \
	  $$(fc-list 2>/dev/null | grep -qi wqy || echo fonts-wqy-microhei) \
	  $$(fc-list 2>/dev/null | grep -qi carlito || echo fonts-crosextra-carlito) \
	  $$(command -v node >/dev/null 2>&1 || echo nodejs) \
	  $$(command -v soffice >/dev/null 2>&1 || echo libreoffice-calc-nogui) \
	  $$(command -v pdftocairo >/dev/null 2>&1 || echo poppler-utils); \
	[ $$# -eq 0 ] || { echo "installing Debian's $$* for the tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$$@" >/dev/null; }

test: install-dev test-system-packages
	$(PY) -m pytest $(PYTEST_ARGS)

# After changing models: write the migration, then read it before committing.
migration: install
	$(FLASK) db migrate -m "$(m)"
