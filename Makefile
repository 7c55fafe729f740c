# Two commands on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PO     := $(wildcard bot/locale/*/LC_MESSAGES/sachstand.po)
MO     := $(PO:.po=.mo)

.PHONY: run test setup translations db clean bench chromium peers permissions reportlibs screenshots

run: setup
	$(BIN)/sachstand db upgrade
	$(BIN)/sachstand run

# Serial by default: with two workers (`make test PYTEST_WORKERS=2`, 715–865 s instead of ~1400 s)
# test_matrix_6 timed out twice in three runs under the load (open). `--dist loadgroup` keeps a file's tests,
# and all Matrix tests, on one worker (tests/conftest.py).
PYTEST_WORKERS ?= 0
test: setup chromium peers reportlibs
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=30 $(PYTEST_ARGS)

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

# WeasyPrint (the PDF reports) draws text with Pango (and HarfBuzz, fontconfig); fonts for the
# PDF to embed (Symbola for emoji in answers; a character no font has is drawn as U+FFFD). Installed from Debian where missing and we may (root with apt-get).
reportlibs:
	@ldconfig -p 2>/dev/null | grep -q 'libpango-1\.0\.so\.0' && ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1\.0\.so\.0' \
		&& fc-list 2>/dev/null | grep -qi 'dejavu\|liberation' && fc-list 2>/dev/null | grep -qi symbola || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& { echo "Installing Pango and fonts for the PDF reports (apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-symbola)"; \
		     $(APT_INSTALL) libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-symbola fontconfig >/dev/null \
		     || { apt-get update -q >/dev/null && $(APT_INSTALL) libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-symbola fontconfig >/dev/null; }; }; } \
		|| echo "Pango could not be installed: the PDF report tests will fail"

# Independent peers the tests drive (tests/js/package.json): matrix-js-sdk with Element's
# Rust crypto, the Nu Html Checker (Java), ical.js. Node and Java come from Debian where
# they are missing and we may install (root with apt-get); otherwise those tests skip.
APT_INSTALL = DEBIAN_FRONTEND=noninteractive apt-get install -y -q
peers: tests/js/node_modules/.installed

tests/js/node_modules/.installed: tests/js/package.json tests/js/package-lock.json
	@command -v node >/dev/null && command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& { echo "Installing Node.js for the client tests (apt-get install nodejs npm)"; \
		     $(APT_INSTALL) nodejs npm >/dev/null || { apt-get update -q >/dev/null && $(APT_INSTALL) nodejs npm >/dev/null; }; }; } \
		|| echo "Node.js could not be installed: the js-sdk and validator tests will be skipped"
	@command -v java >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& { echo "Installing Java for the Nu Html Checker (apt-get install default-jre-headless)"; \
		     $(APT_INSTALL) default-jre-headless >/dev/null || { apt-get update -q >/dev/null && $(APT_INSTALL) default-jre-headless >/dev/null; }; }; } \
		|| echo "Java could not be installed: the HTML validator tests will be skipped"
	@[ -e /usr/lib/x86_64-linux-gnu/libical.so.3 ] || ldconfig -p 2>/dev/null | grep -q 'libical\.so\.3' || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& { echo "Installing libical for the iTIP checks (apt-get install libical3)"; \
		     $(APT_INSTALL) libical3 >/dev/null || { apt-get update -q >/dev/null && $(APT_INSTALL) libical3 >/dev/null; }; }; } \
		|| echo "libical could not be installed: the iTIP restriction check will be skipped"
	@if command -v npm >/dev/null; then cd tests/js && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && touch node_modules/.installed; fi

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

# PNGs of the public site (overview, a recommendation, an indicator at 390 and 1280 px) for docs/.
screenshots: setup chromium
	$(BIN)/python -m tests.browser.screenshots

bench: setup
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) data .pytest_cache
