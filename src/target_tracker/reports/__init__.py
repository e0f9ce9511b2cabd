"""The monthly report: its data, sections, each format's writer and charts."""
