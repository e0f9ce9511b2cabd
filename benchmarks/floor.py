"""The floor: what the chosen packages cost at the least.

A one-command Typer app that reads the ledger with tomllib and prints its
targets with tabulate, with no domain logic. `tracker status` is measured
against it (benchmarks/run.py).
"""

from __future__ import annotations

import tomllib

import typer
from tabulate import tabulate

app = typer.Typer(add_completion=False)


@app.command()
def main(path: str = typer.Argument("targets.toml")) -> None:
    with open(path, "rb") as f:
        data = tomllib.load(f)
    rows = [
        [tid, t.get("title", ""), t.get("kind", ""), t.get("due", "")] for tid, t in data.get("targets", {}).items()
    ]
    print(tabulate(rows, headers=["id", "title", "kind", "due"]))


if __name__ == "__main__":
    app()
