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
from datetime import date

#: Characters XML 1.0 cannot hold (a TOML string may contain them as escapes).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Drop characters Word and Excel files cannot contain."""
    return _NOT_XML.sub("", text)


def fixed_zip(data: bytes, day: date) -> bytes:
    """The same package with every member dated ``day`` (midnight) and fixed attributes."""
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            member.create_system = 0
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()
