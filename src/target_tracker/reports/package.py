"""Byte-reproducible Office files (docx and xlsx are zip packages).

python-docx and openpyxl stamp every zip member with the current time; the
report rewrites the package with one fixed timestamp (the report's
"generated" date, which honours SOURCE_DATE_EPOCH) so the same ledger and
month give the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from datetime import date

#: Characters XML 1.0 cannot hold (a TOML string may contain them as escapes).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Drop characters Word and Excel files cannot contain."""
    return _NOT_XML.sub("", text)


_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def fixed_zip(data: bytes, day: date, edit: Callable[[str, bytes], bytes] | None = None) -> bytes:
    """The same package with every member dated ``day`` (midnight), fixed
    attributes, and the document's created/modified properties set to ``day``
    (openpyxl stamps "modified" with the clock when it saves). ``edit(name,
    content)`` may change members on the way (one pass over the package)."""
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    iso = f"{day.isoformat()}T00:00:00Z".encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            member.create_system = 0
            content = src.read(info.filename)
            if edit is not None:
                content = edit(info.filename, content)
            if info.filename == "docProps/core.xml":
                content = _CORE_DATES.sub(lambda m: m.group(1) + iso + m.group(3), content)
            dst.writestr(member, content)
    return out.getvalue()
