"""The SSO tests' fixtures: a real OpenID provider for the session, the app on a live port.

The provider (tests/sso/provider.mjs, npm's oidc-provider) is started once per test
session on a free loopback port; the app is served per test (a fresh database) on one
loopback port reserved for the session, so the redirect URI registered with the
provider stays the same. See support.py for driving them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sso.support import (
    Provider,
    free_port,
    missing_tools,
    provider_config,
    serving,
    sso_settings,
    start_provider,
)


@pytest.fixture(scope="session")
def app_port() -> int:
    """The loopback port the app is served on in every SSO test (its redirect URI's)."""
    return free_port()


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory, app_port) -> Iterator[Provider]:
    """npm's oidc-provider on a free loopback port, for the whole test session."""
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    provider = start_provider(provider_config(app_port), tmp_path_factory.mktemp("provider"))
    yield provider
    provider.process.terminate()
    provider.process.wait(timeout=10)
    provider.process.stdout.close()


@pytest.fixture
def sso(app, oidc_provider, app_port) -> Iterator[str]:
    """The app, set up for single sign-on through the test provider, on its live port."""
    base = f"http://127.0.0.1:{app_port}"
    app.config.update(sso_settings(oidc_provider.issuer, base), WTF_CSRF_ENABLED=True)
    with serving(app, app_port) as url:
        yield url
