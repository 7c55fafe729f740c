# Two commands on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PO     := $(wildcard bot/locale/*/LC_MESSAGES/sachstand.po)
MO     := $(PO:.po=.mo)

.PHONY: run test setup translations db clean bench chromium permissions

run: setup
	$(BIN)/sachstand db upgrade
	$(BIN)/sachstand run

test: setup chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The browser tests (tests/browser) drive the system Chromium. Install it where we may
# (root with apt-get); otherwise those tests skip and say why.
chromium:
	@if [ -x /usr/bin/chromium ] || [ -n "$$SACHSTAND_CHROMIUM" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Chromium for the browser tests (apt-get install chromium)"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
		|| { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; } \
		|| echo "Chromium could not be installed: the browser tests will be skipped"; \
	else echo "No /usr/bin/chromium and no root apt-get: the browser tests will be skipped"; fi

setup: $(STAMP) translations

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

translations: $(MO)

bot/locale/%/LC_MESSAGES/sachstand.mo: bot/locale/%/LC_MESSAGES/sachstand.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ 2>/dev/null || $(BIN)/pybabel compile -i $< -o $@

# Re-extract message ids from code and templates into the catalogs.
extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k t -k notice -o bot/locale/sachstand.pot --no-location --sort-output .
	$(BIN)/pybabel update -i bot/locale/sachstand.pot -d bot/locale -D sachstand --no-fuzzy-matching --ignore-obsolete

db: setup
	$(BIN)/sachstand db upgrade

# The README's permission table (command × role), generated from the command registry.
permissions: setup
	$(BIN)/sachstand permissions

bench: setup
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) data .pytest_cache
