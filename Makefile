.PHONY: install test lint bench

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
