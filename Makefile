# The two commands of the README do all the set-up themselves on a fresh machine:
#   make serve   create .venv, install, fetch the web-UI assets, validate the graph, serve it
#   make test    the same set-up plus the system packages the tests drive (chromium, wrk), then the whole suite

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
STAMP  := $(VENV)/.installed
UI_STAMP := ui/node_modules/.installed

.PHONY: setup serve test validate system-packages ui clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

# YASGUI is served from local files installed from npm, never from a CDN.
$(UI_STAMP): ui/package.json $(wildcard ui/package-lock.json)
	@if [ -f ui/package-lock.json ]; then npm ci --prefix ui --no-audit --no-fund --loglevel=error; \
	  else npm install --prefix ui --no-audit --no-fund --loglevel=error; fi
	@touch $@

ui: $(UI_STAMP)

setup: $(STAMP) $(UI_STAMP)

validate: setup
	$(BIN)/ctgraph validate

serve: validate
	$(BIN)/ctgraph serve --host $(HOST) --port $(PORT)

# Debian packages the browser and load tests need; apt-get update first, as on a fresh machine.
system-packages:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v wrk >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium wrk >/dev/null; \
	fi

test: setup system-packages
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) ui/node_modules dist build tests/artifacts
