"""Output: one intermediate table, one renderer per format, and the views commands print."""
