"""Single sign-on round trip through a real OpenID provider, against a password sign-in.

    python bench/sso.py [--rounds 200] [--databases sqlite,postgresql]

Starts npm's oidc-provider (tests/sso/provider.mjs, `npm ci`) on a loopback port and
Attest on another (werkzeug's threaded server, production settings, one employee), then
measures, interleaved round by round so that background load hits every row alike, each
time in a fresh HTTP client (requests) with no cookies:

- health check: `GET /healthz` (Attest's request hooks alone, no SQL; a floor);
- password sign-in: `POST /login` with the CSRF token of a sign-in page fetched first
  (argon2id at production strength: the hash is most of it), answered with the redirect;
- SSO round trip: from `GET /auth/oidc/login` to the callback's redirect, every hop a
  browser makes: Attest's redirect to the provider, the provider's sign-in form (the test
  provider asks for no password), its redirect back, and the callback;
- SSO callback alone: the callback's own request (the code exchanged with the client
  secret and PKCE verifier, the ID token's signature and claims checked, the userinfo
  fetched, the person found, the audit event and the session written).

Provider discovery and its keys are fetched once, before the first round, as a running
instance has them. Rate limits are off (two hundred sign-ins a minute from one address
would meet them); nothing else differs from production but plain http on loopback.
Prints median and p99 in milliseconds, and each median as a ratio of the password
sign-in's.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["LMS_ENV"] = "production"
SECRET = "bench-only-secret-not-for-production-0123456789"  # noqa: S105 - a throwaway app
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "a bench password, long enough"  # noqa: S105 - a throwaway account

ROWS = ("health check", "password sign-in", "SSO round trip", "SSO callback alone")


def build_app(url: str, issuer: str, port: int):
    from lms import create_app
    from lms.extensions import db
    from lms.models.base import utctoday
    from lms.people.operations import create_user
    from tests.sso.support import sso_settings

    base = f"http://127.0.0.1:{port}"
    app = create_app(
        {
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": url,
            "LMS_CONTENT_DIR": str(ROOT / "content"),
            "SESSION_COOKIE_SECURE": False,  # plain http on loopback
            "REMEMBER_COOKIE_SECURE": False,
            "LMS_HSTS_SECONDS": 0,
            "RATELIMIT_ENABLED": False,
            "LMS_REQUEST_LOG": "off",
            **sso_settings(issuer, base),
        }
    )
    with app.app_context():
        db.create_all()
        create_user(
            email="ada@example.com",
            full_name="Ada Lovelace",
            employee_id="E100",
            department="Stores",
            role="Cashier",
            hire_date=None,
            password=PASSWORD,
            today=utctoday(),
        )
        db.session.commit()
    return app


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def measure(base: str, rounds: int) -> dict[str, list[float]]:
    import requests

    from tests.sso.support import to_callback

    figures: dict[str, list[float]] = {row: [] for row in ROWS}

    def health() -> None:
        assert requests.get(base + "/healthz", timeout=10).status_code == 200

    def password() -> float:
        http = requests.Session()
        page = http.get(base + "/login", timeout=10).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        form = {"csrf_token": token, "email": "ada@example.com", "password": PASSWORD}
        start = time.perf_counter()
        response = http.post(base + "/login", data=form, allow_redirects=False, timeout=10)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 302, response.text[:300]
        return elapsed

    def sso() -> tuple[float, float]:
        http = requests.Session()
        start = time.perf_counter()
        callback = to_callback(http, base, "ada", "/auth/oidc/login")
        before = time.perf_counter()
        response = http.get(callback, allow_redirects=False, timeout=10)
        end = time.perf_counter()
        assert response.status_code == 302, response.text[:300]
        return (end - start) * 1000, (end - before) * 1000

    sso()  # discovery and the provider's keys, as a running instance already has them
    password()
    for _ in range(rounds):
        figures["health check"].append(timed(health))
        figures["password sign-in"].append(password())
        whole, callback = sso()
        figures["SSO round trip"].append(whole)
        figures["SSO callback alone"].append(callback)
    return figures


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def run(kind: str, rounds: int, provider, port: int) -> list[tuple[str, ...]]:
    from bench.support import scratch_database
    from tests.sso.support import serving

    with scratch_database(kind, POSTGRES_URL) as url:
        app = build_app(url, provider.issuer, port)
        with serving(app, port) as base:
            figures = measure(base, rounds)
        from lms.database import dispose_engines

        with app.app_context():
            dispose_engines()
    baseline = statistics.median(figures["password sign-in"])
    return [
        (
            kind,
            row,
            f"{statistics.median(values):.1f}",
            f"{p99(values):.1f}",
            f"{statistics.median(values) / baseline:.2f}",
        )
        for row, values in figures.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    from bench.support import machine, postgres_available
    from tests.sso.support import free_port, missing_tools, provider_config, start_provider

    reason = missing_tools()
    if reason:  # `make bench` runs every script: say why, and let the others run
        print(f"bench/sso.py skipped: {reason}")
        return
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        provider = start_provider(provider_config(port), Path(folder))
        try:
            rows: list[tuple[str, ...]] = []
            for kind in args.databases.split(","):
                if kind == "postgresql" and not postgres_available(POSTGRES_URL):
                    rows.append((kind, "skipped", f"no server at {POSTGRES_URL}", "", ""))
                    continue
                rows.extend(run(kind, args.rounds, provider, port))
        finally:
            provider.process.terminate()
            provider.process.wait(timeout=10)
            provider.process.stdout.close()

    header = ("database", "round trip", "median ms", "p99 ms", "x password sign-in")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"{args.rounds} rounds; {machine(with_load=True)}")
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
