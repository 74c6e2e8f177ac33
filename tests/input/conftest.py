"""Fixtures shared by the bad-input, database-down, access-matrix and property tests."""

from tests.api.conftest import api, token  # noqa: F401 - fixtures reused here
from tests.hr.conftest import login, org, org_content  # noqa: F401 - fixtures reused here
