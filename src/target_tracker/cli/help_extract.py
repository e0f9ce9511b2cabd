"""Message extraction for the help screens (babel.cfg; ``make i18n``).

A cli/ module's messages are extracted as any module's (``_()``, ``N_()``,
``help=N_(...)``), and so is the docstring of each ``@app.command`` and
``@app.callback``: Typer shows it as the command's help, and cli/help.py
translates it paragraph by paragraph when it is shown. Never imported by
``tracker`` itself (it imports Babel).
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from babel.messages.extract import extract_python

from target_tracker.cli.help import paragraphs

COMMENT = "help of 'tracker{name} --help'; keep commands, options and file names as they are"


def _command_name(node: ast.FunctionDef) -> str | None:
    """' NAME' for an ``@app.command()`` function, '' for the ``@app.callback()``, else None."""
    for deco in node.decorator_list:
        if not (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute)):
            continue
        if not (isinstance(deco.func.value, ast.Name) and deco.func.value.id == "app"):
            continue
        if deco.func.attr == "callback":
            return ""
        if deco.func.attr == "command":
            names = [kw.value.value for kw in deco.keywords if kw.arg == "name" and isinstance(kw.value, ast.Constant)]
            names += [a.value for a in deco.args[:1] if isinstance(a, ast.Constant)]
            return " " + str(names[0] if names else node.name.replace("_", "-"))
    return None


def command_docstrings(source: str) -> Iterator[tuple[int, str, str]]:
    """(line, command, docstring) of every command in a module's source."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and (name := _command_name(node)) is not None:
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.body[0].lineno, name, doc


def extract(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[tuple[int, Any, Any, list[str]]]:
    """Babel extraction method: the module's messages, then its commands' help paragraphs."""
    yield from extract_python(fileobj, keywords, comment_tags, options)  # type: ignore[arg-type, misc]
    fileobj.seek(0)
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    for lineno, name, doc in command_docstrings(source):
        for _raw, para in paragraphs(doc):
            if para:
                yield lineno, None, para, [COMMENT.format(name=name)]
