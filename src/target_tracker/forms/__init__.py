"""The monthly collection round: fill-in forms out to departments, one checked import back.

``layout`` decides what a form holds (pure: ledger + month), ``writer`` writes
it as an Excel workbook or a CSV file, ``reader`` reads a returned file into
raw cells, and ``plan`` checks every filled row against the ledger and turns
them into edits applied as one transaction.
"""
