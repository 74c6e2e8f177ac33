"""The OpenID Connect client (Authlib), one per app, and the checks on the provider's answer.

Authlib does the protocol: discovery from OIDC_ISSUER, the authorization code flow
with PKCE (S256), `state` and `nonce` kept in the signed session cookie, the code
exchanged with the client secret, and the ID token's signature (the provider's keys,
fetched again when a new key id appears), issuer, audience, expiry, issue time and
nonce checked. Here: the settings it gets, that discovery names the issuer we were
given, that an ID token came at all, and the claims from the userinfo endpoint when
the ID token does not carry the one we match on.
"""

from __future__ import annotations

from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc.errors import JoseError

from lms.sso.rules import is_configured, may_use_password

EXTENSION = "lms.sso"
SCOPES = "openid email profile"
# Seconds of clock difference allowed between the provider and us (Authlib's default).
LEEWAY_S = 120


class ProviderError(Exception):
    """The provider's answer was refused: the detail is for the log, never the page."""


# Everything that means "the provider's answer did not check out", from any layer: the
# protocol (Authlib: a wrong state, an error from the provider, a refused code), the
# token (joserfc: signature, issuer, audience, expiry, nonce), the network (requests).
PROVIDER_FAILURES = (AuthlibBaseError, JoseError, requests.RequestException, ProviderError)


def is_offered(app: Flask | None = None) -> bool:
    """Whether single sign-on is set up (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET)."""
    config = (app or current_app).config
    return is_configured(
        config.get("OIDC_ISSUER"), config.get("OIDC_CLIENT_ID"), config.get("OIDC_CLIENT_SECRET")
    )


def is_sso_only() -> bool:
    """Whether password sign-in is for HR only (LMS_SSO_ONLY, and single sign-on is set up).

    Without a provider set up, LMS_SSO_ONLY changes nothing: nobody could sign in.
    """
    return bool(current_app.config.get("LMS_SSO_ONLY")) and is_offered()


def password_allowed(user) -> bool:
    """Whether `user` may sign in with a password here (LMS_SSO_ONLY: HR only, break-glass)."""
    return may_use_password(sso_only=is_sso_only(), is_hr=user.is_hr)


def oidc_client():
    """This app's Authlib client, made on first use from the settings."""
    app = current_app._get_current_object()
    client = app.extensions.get(EXTENSION)
    if client is None:
        config = app.config
        issuer = config["OIDC_ISSUER"]
        oauth = OAuth(app)
        client = oauth.register(
            "oidc",
            client_id=config["OIDC_CLIENT_ID"],
            client_secret=config["OIDC_CLIENT_SECRET"],
            server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": SCOPES,
                "code_challenge_method": "S256",
                "default_timeout": config.get("OIDC_TIMEOUT_S", 10),
            },
        )
        app.extensions[EXTENSION] = client
    return client


def load_metadata(client) -> dict[str, Any]:
    """The provider's discovery document, refused unless it names the issuer we were given.

    OpenID Connect Discovery 1.0, section 4.3: the `issuer` in the document must be the
    one it was fetched for, so a document served elsewhere cannot redirect sign-ins.
    """
    metadata = client.load_server_metadata()
    expected = current_app.config["OIDC_ISSUER"].rstrip("/")
    if str(metadata.get("issuer", "")).rstrip("/") != expected:
        raise ProviderError(f"discovery names issuer {metadata.get('issuer')!r}, not {expected!r}")
    return metadata


def id_token_checks(metadata: dict[str, Any]) -> dict[str, dict]:
    """What the ID token's `iss` and `aud` must be (OpenID Connect Core 1.0, 3.1.3.7).

    Given explicitly: Authlib 1.9 checks the issuer by default but the audience only
    through `azp`, so a token for another client that names us as its authorized party
    would pass. The audience must include our client id.
    """
    return {
        "iss": {"essential": True, "value": metadata["issuer"]},
        "aud": {"essential": True, "value": current_app.config["OIDC_CLIENT_ID"]},
    }


def finish_sign_in(client, claim: str) -> dict[str, Any]:
    """Check the provider's answer on the callback request; return the person's claims.

    The claims are the ID token's, checked by Authlib; if the claim we match on is not
    among them (providers may put scope claims in userinfo only), the userinfo
    endpoint's are added, provided they are about the same subject.
    """
    metadata = load_metadata(client)
    token = client.authorize_access_token(leeway=LEEWAY_S, claims_options=id_token_checks(metadata))
    claims = token.get("userinfo")
    if not claims:
        raise ProviderError("the token response has no ID token")
    claims = dict(claims)
    if claim not in claims and client.server_metadata.get("userinfo_endpoint"):
        extra = dict(client.userinfo(token=token))
        if extra.get("sub") != claims.get("sub"):
            raise ProviderError("userinfo is about another subject than the ID token")
        claims = {**extra, **claims}
    return claims
