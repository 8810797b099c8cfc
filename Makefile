# Set-up and everyday tasks. `make demo` and `make test` do the whole set-up on a fresh Debian
# machine (system packages included) and are idempotent: a second run takes seconds.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .make
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# What rendering needs: CJK and Latin fonts, Pango, HarfBuzz subsetting (50x faster PDF writes).
RUNTIME_PACKAGES := fontconfig fonts-noto-cjk fonts-noto-core libpango-1.0-0 libpangoft2-1.0-0 \
	libharfbuzz-subset0 python3-venv
# What the tests need besides: Poppler's PDF tools and a real browser for the preview tests.
TEST_PACKAGES := poppler-utils qpdf chromium

CATALOGS := $(wildcard render/locale/*/LC_MESSAGES/*.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: demo test setup setup-test lint catalogs messages docs schema bench clean

demo: setup
	$(VENV)/bin/render build examples/notes -o dist --format both

test: setup setup-test
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

setup: $(STAMPS)/runtime-packages $(STAMPS)/venv catalogs

setup-test: $(STAMPS)/test-packages

# Installs only the packages of a list that are missing, so a machine that has them all does no
# apt work at all.
define apt_ensure
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null \
		| grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@mkdir -p $(STAMPS) && touch $@
endef

$(STAMPS)/runtime-packages: Makefile
	$(call apt_ensure,$(RUNTIME_PACKAGES))

$(STAMPS)/test-packages: Makefile
	$(call apt_ensure,$(TEST_PACKAGES))

$(STAMPS)/venv: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@mkdir -p $(STAMPS) && touch $@

catalogs: $(COMPILED)

render/locale/%.mo: render/locale/%.po $(STAMPS)/venv
	$(VENV)/bin/pybabel compile --statistics -i $< -o $@

# Re-extract template labels (messages) and the rules' messages (problems) after editing
# templates or schemas/rules/, then translate the new entries in each locale's .po files.
messages: $(STAMPS)/venv
	$(VENV)/bin/pybabel extract -F babel.cfg -o render/locale/messages.pot --no-location \
		--sort-output --add-comments TRANSLATORS: --strip-comment-tags --project research-notes .
	$(VENV)/bin/pybabel update -i render/locale/messages.pot -d render/locale --no-fuzzy-matching \
		--ignore-obsolete
	$(VENV)/bin/pybabel extract -F babel-problems.cfg -o render/locale/problems.pot --no-location \
		--sort-output --no-default-keywords -k Rule:2 -k Text -k phrase --project research-notes .
	$(VENV)/bin/pybabel update -D problems -i render/locale/problems.pot -d render/locale \
		--no-fuzzy-matching --ignore-obsolete

# docs/rules.md is written from the rule registry.
docs: $(STAMPS)/venv
	$(PY) -m schemas.rules.page

schema: setup
	$(VENV)/bin/render schema

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: setup
	$(PY) benchmarks/run.py

clean:
	rm -rf dist $(STAMPS) render/locale/*/LC_MESSAGES/*.mo
