"""Map TOML key paths to line numbers.

tomllib gives data without positions, so when a problem has to be reported
this module scans the text once and records the line of every table header,
every key, and every element of a multi-line array. It runs only when there
is something to report (or for edits), never on the plain ``status`` path.
"""

from __future__ import annotations

from dataclasses import dataclass

from target_tracker.ledger.model import KeyPath

_BARE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def parse_key(s: str, pos: int) -> tuple[list[str], int]:
    """Parse a (dotted) key starting at ``pos``; return its parts and the end."""
    parts: list[str] = []
    n = len(s)
    while True:
        while pos < n and s[pos] in " \t":
            pos += 1
        if pos >= n:
            break
        c = s[pos]
        if c == '"':
            end = pos + 1
            buf = []
            while end < n and s[end] != '"':
                if s[end] == "\\" and end + 1 < n:
                    buf.append(s[end + 1])
                    end += 2
                    continue
                buf.append(s[end])
                end += 1
            parts.append("".join(buf))
            pos = end + 1
        elif c == "'":
            end = s.find("'", pos + 1)
            end = n if end < 0 else end
            parts.append(s[pos + 1 : end])
            pos = end + 1
        else:
            start = pos
            while pos < n and s[pos] in _BARE:
                pos += 1
            if pos == start:
                break
            parts.append(s[start:pos])
        while pos < n and s[pos] in " \t":
            pos += 1
        if pos < n and s[pos] == ".":
            pos += 1
            continue
        break
    return parts, pos


@dataclass
class _Frame:
    kind: str  # "[" or "{"
    path: KeyPath | None  # None inside inline tables: their insides are opaque
    count: int = 0
    expecting: bool = True


class LineIndex:
    """Line numbers (1-based) of the keys, tables and array elements of a text."""

    def __init__(self, text: str) -> None:
        self.lines: dict[KeyPath, int] = {}
        self._scan(text)

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for n in range(len(path), 0, -1):
            line = self.lines.get(path[:n])
            if line is not None:
                return line
        return None

    def _set(self, path: KeyPath, line: int) -> None:
        self.lines.setdefault(path, line)

    def _scan(self, text: str) -> None:
        current: KeyPath = ()
        aot_counts: dict[KeyPath, int] = {}
        stack: list[_Frame] = []
        in_string: str | None = None
        for lineno, raw in enumerate(text.split("\n"), start=1):
            line = raw.rstrip("\r")
            pos = 0
            if in_string:
                end = line.find(in_string)
                if end < 0:
                    continue
                pos = end + 3
                in_string = None
            elif not stack:
                stripped = line.lstrip()
                if not stripped or stripped[0] == "#":
                    continue
                if stripped[0] == "[":
                    aot = stripped.startswith("[[")
                    parts, _ = parse_key(stripped, 2 if aot else 1)
                    path: KeyPath = tuple(parts)
                    if aot:
                        idx = aot_counts.get(path, 0)
                        aot_counts[path] = idx + 1
                        self._set(path, lineno)
                        path = path + (idx,)
                    current = path
                    self._set(path, lineno)
                    continue
                offset = len(line) - len(stripped)
                parts, pos = parse_key(line, offset)
                if pos >= len(line) or line[pos] != "=" or not parts:
                    continue
                key_path = current + tuple(parts)
                for n in range(len(current) + 1, len(key_path) + 1):
                    self._set(key_path[:n], lineno)
                pos += 1
                stack.append(_Frame("=", key_path))
            in_string = self._scan_value(line, pos, lineno, stack)
            if stack and stack[0].kind == "=" and len(stack) == 1:
                stack.clear()  # a one-line value ended with the line

    def _scan_value(self, line: str, pos: int, lineno: int, stack: list[_Frame]) -> str | None:
        n = len(line)
        while pos < n:
            c = line[pos]
            if c in " \t":
                pos += 1
                continue
            if c == "#":
                break
            top = stack[-1] if stack else None
            if top is not None and top.kind == "[" and top.expecting and c not in ",]":
                if top.path is not None:
                    self._set(top.path + (top.count,), lineno)
                top.count += 1
                top.expecting = False
            if c in "\"'":
                triple = line.startswith(c * 3, pos)
                if triple:
                    end = line.find(c * 3, pos + 3)
                    if end < 0:
                        return c * 3
                    pos = end + 3
                    continue
                pos += 1
                while pos < n and line[pos] != c:
                    pos += 2 if (c == '"' and line[pos] == "\\") else 1
                pos += 1
                continue
            if c in "[{":
                path: KeyPath | None = None
                if top is not None and top.path is not None:
                    if top.kind == "[":
                        path = top.path + (top.count - 1,)
                    elif top.kind == "=":
                        path = top.path
                stack.append(_Frame(c, path if c == "[" else None))
            elif c in "]}":
                if stack and stack[-1].kind != "=":
                    stack.pop()
                if len(stack) == 1 and stack[0].kind == "=":
                    stack.clear()
            elif c == "," and top is not None and top.kind == "[":
                top.expecting = True
            pos += 1
        return None
