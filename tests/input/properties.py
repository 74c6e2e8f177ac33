"""Hypothesis settings for the property tests: bounded, and the same examples on every run.

`derandomize` draws the examples from each test's name, so CI fails (or passes) the
same way every time; `database=None` keeps no `.hypothesis/` folder of examples.
"""

from hypothesis import HealthCheck, settings

# Pure functions: cheap, so many examples.
PURE = settings(max_examples=100, derandomize=True, database=None, deadline=None)
# Through the database and the CLI: a few dozen examples each.
THROUGH_DB = settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
