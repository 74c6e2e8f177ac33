from tests.smtp import smtp_server  # noqa: F401 - the fixture, shared with other packages
