import pytest

from tests.conftest import IsolatedClient
from tests.factories import make_employee


@pytest.fixture
def erin(app):
    return make_employee()


@pytest.fixture
def browser(app):
    """Another browser: a client of its own, with its own cookies."""

    def new():
        app.test_client_class = IsolatedClient
        return app.test_client()

    return new
