"""Compliance figures kept current as facts change: the summary the HR pages read.

`rules` says what one assignment adds to the summary and how a day's status
counts are read back from it; `triggers` keeps the summary in the same
transaction as every write; `operations` recounts, compares and repairs it;
`queries` reads it.
"""
