"""The monthly report: its data, sections, each format's writer and charts."""

#: --format value -> file extension (kept here, import-free, so the CLI can check --format cheaply).
REPORT_FORMATS = {"md": "md", "markdown": "md", "html": "html", "json": "json", "csv": "csv", "docx": "docx",
                  "xlsx": "xlsx"}  # fmt: skip
