"""Hires in: the HR system's CSV export of employees (DESIGN.md, "CSV import").

`csvfile` reads the bytes into rows and problems and `plan` decides what would
change; both are plain functions with no Flask or database. `apply` loads the
people already here, and applies a plan (flushes only; the caller commits).
"""
