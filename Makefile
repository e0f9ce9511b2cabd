.PHONY: install test lint bench i18n

install:
	python -m pip install -e '.[dev]'

test:
	python -m pytest

lint:
	ruff check src tests benchmarks
	ruff format --check src tests benchmarks
	mypy

bench:
	python benchmarks/run.py

# Message catalogs: extract every _()/N_()/ngettext()/pgettext() message and every command's docstring
# (its --help; babel.cfg), merge it into each language's .po, compile the .mo files shipped in the
# package (tests/test_i18n.py checks all three).
LOCALE := src/target_tracker/locale
i18n:
	PYTHONPATH=src pybabel extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 -k pgettext:1c,2 -k NP_:1c,2 --no-default-keywords \
		--sort-by-file --project target-tracker --copyright-holder target-tracker \
		-o $(LOCALE)/target_tracker.pot src/target_tracker
	pybabel update -i $(LOCALE)/target_tracker.pot -d $(LOCALE) -D target_tracker --no-fuzzy-matching
	pybabel compile -d $(LOCALE) -D target_tracker --statistics
