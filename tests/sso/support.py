"""A real OpenID provider for the SSO tests and bench: start tests/sso/provider.mjs, drive it.

npm's certified `oidc-provider` on a free loopback port, with one client (Attest, its
redirect URI on a port chosen up front) and a few accounts; and a real HTTP client
(requests) going through it as a browser would: the app's sign-in link, the
provider's sign-in form, its redirect back to the callback.
"""

from __future__ import annotations

import json
import re
import select
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import requests
from werkzeug.serving import make_server

PROJECT = Path(__file__).resolve().parents[2]
PROVIDER_JS = Path(__file__).with_name("provider.mjs")
CLIENT_ID = "attest"
CLIENT_SECRET = "a test client secret, loopback only"  # noqa: S105 - the test provider's
CALLBACK = "/auth/oidc/callback"
NODE_AT_LEAST = (20, 19)  # oidc-provider 9's "engines"

# The provider's accounts (id -> claims). Matched by email (the default) or employee id.
ACCOUNTS = {
    "ada": {
        "email": "Ada@Example.com",
        "email_verified": True,
        "name": "Ada Lovelace",
        "employee_id": "E100",
    },
    "stranger": {"email": "stranger@example.com", "email_verified": True, "name": "A Stranger"},
    "nomail": {"name": "No Mail", "employee_id": 300},
    "unverified": {"email": "ada@example.com", "email_verified": False, "name": "Not Ada"},
    "tess": {"email": "tess@example.com", "email_verified": True, "employee_id": "E200"},
}


def missing_tools() -> str | None:
    if not shutil.which("node"):
        return "node is missing: the SSO tests run npm's oidc-provider (Node.js 20.19 or later)"
    if not (PROJECT / "node_modules" / "oidc-provider").is_dir():
        return "node_modules/oidc-provider is missing: run `npm ci` (make test does)"
    version = subprocess.run(  # noqa: S603 - node itself, fixed arguments
        [shutil.which("node"), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if tuple(int(part) for part in re.findall(r"\d+", version)[:2]) < NODE_AT_LEAST:
        return f"node {version} is too old for oidc-provider 9 (20.19 or later)"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen

    def set_mode(self, **mode) -> None:
        response = requests.post(f"{self.issuer}/__test/mode", data=json.dumps(mode), timeout=10)
        response.raise_for_status()

    @contextmanager
    def mode(self, **mode) -> Iterator[None]:
        """Have the provider mint its ID tokens another way for a while (provider.mjs)."""
        self.set_mode(**mode)
        try:
            yield
        finally:
            self.set_mode()


def start_provider(config: dict, folder: Path) -> Provider:
    """Start provider.mjs with `config` and wait for the line naming its issuer."""
    config_file = folder / "provider.json"
    # The provider keeps this process's clock, which the suite may have set back (provider.mjs).
    config_file.write_text(json.dumps({**config, "now": time.time()}))
    with (folder / "provider.log").open("w") as log:  # the child keeps its own copy
        process = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
            [shutil.which("node"), str(PROVIDER_JS), str(config_file)],
            cwd=PROJECT,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    ready, _, _ = select.select([process.stdout], [], [], 30)
    line = process.stdout.readline() if ready else ""
    if not line:
        process.kill()
        raise RuntimeError(f"the test provider did not start: see {folder / 'provider.log'}")
    return Provider(json.loads(line)["issuer"], process)


def provider_config(app_port: int) -> dict:
    base = f"http://127.0.0.1:{app_port}"
    return {
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [base + CALLBACK],
            }
        ],
        "accounts": ACCOUNTS,
    }


def sso_settings(issuer: str, base: str, **overrides) -> dict:
    return {
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_MATCH_CLAIM": "email",
        "LMS_BASE_URL": base,
        **overrides,
    }


@contextmanager
def serving(app, port: int) -> Iterator[str]:
    """Serve `app` on 127.0.0.1:`port` in a thread; yield its base URL."""
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def to_callback(http: requests.Session, base: str, account: str, start: str) -> str:
    """From the app's sign-in link, through the provider's pages, to the callback URL (not opened).

    Follows redirects and submits the provider's forms as a browser (and its person)
    would: the sign-in form with `account`; the provider's own auto-submitted forms (it
    signs the last account out when another signs in) with their hidden fields.
    Returns the URL the provider sends the browser back to.
    """
    url = urljoin(base, start)
    posted = None  # a form's answer that is a page, not a redirect
    for _ in range(12):
        if url.startswith(base + CALLBACK):
            return url
        response = http.get(url, allow_redirects=False, timeout=10) if url else posted
        if response.status_code in (302, 303):
            url = urljoin(response.url, response.headers["Location"])
            continue
        form = re.search(r'<form[^>]*method="post"[^>]*action="([^"]+)"', response.text)
        assert form, f"{response.url} answered {response.status_code}: {response.text[:500]}"
        fields = dict(
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', response.text)
        )
        if 'name="login"' in response.text:
            fields["login"] = account
        posted = http.post(
            urljoin(response.url, form.group(1)), data=fields, allow_redirects=False, timeout=10
        )
        assert posted.status_code in (302, 303, 200), posted.text[:500]
        url = urljoin(posted.url, posted.headers["Location"]) if posted.is_redirect else ""
    raise AssertionError(f"never came back to {CALLBACK}; last at {url}")


def sign_in_through_provider(
    http: requests.Session, base: str, account: str, start: str = "/auth/oidc/login"
) -> requests.Response:
    """Sign in as the provider's `account`; return the callback's response (not followed)."""
    return http.get(to_callback(http, base, account, start), allow_redirects=False, timeout=10)
