"""Certificate rendering: bare WeasyPrint against Attest's first render and a cached download.

    python bench/certificates.py [--rounds 40]

Builds one certificate in a throwaway SQLite database, then measures, interleaved round
by round so that background load hits every row alike:

- bare WeasyPrint: `HTML(string=...).write_pdf()` of a minimal page (the baseline);
- the same certificate HTML through bare WeasyPrint, stylesheet and fonts loaded afresh
  each time (what Attest would cost without its per-process stylesheet and fonts);
- Attest's render: `render_certificate` (template, QR code, PDF);
- the first download through the app: the stored PDF is cleared, then
  `GET /certificates/<code>.pdf` renders, stores and sends it;
- repeated downloads through the app, served from the stored bytes: the one right
  after the render (CPU caches still full of WeasyPrint) and three more.

Downloads call the app as gunicorn does (one WSGI call with the holder's session
cookie), under the production settings, request log and security headers included.

Targets (issue 3): first render within 2x the baseline; repeated download at least 20x
faster than a first render.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["LMS_ENV"] = "production"
SECRET = "bench-only-secret-not-for-production-0123456789"  # noqa: S105 - a throwaway app
REPEATS = 3  # warm repeated downloads per round, after the one right after the render

MINIMAL_PAGE = "<!doctype html><title>x</title><p>Hello, world.</p>"
MODULE = """---
title: Every Customer Served with Dignity
version: 2
summary: How we treat every customer.
minutes: 5
renew_every: 1 year
window: 30 days
attestation: I will treat every customer with dignity.
---
# Dignity

Every customer counts.
"""
PROGRAM = "title: Onboarding\nmodules: [dignity]\naudience: all\ndue_days: 30\n"


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def build(tmp: Path):
    """Return (app, the holder's session cookie, certificate code) for one fresh certificate."""
    from support import signed_in

    from lms import create_app
    from lms.content.loader import load_content
    from lms.content.sync import sync_content
    from lms.extensions import db
    from lms.learn.operations import current_version, cycle_attempts, progress_of, sign_attestation
    from lms.models import Assignment, Certificate
    from lms.people.operations import create_user

    (tmp / "content" / "modules").mkdir(parents=True)
    (tmp / "content" / "programs").mkdir()
    (tmp / "content" / "modules" / "dignity.md").write_text(MODULE, encoding="utf-8")
    (tmp / "content" / "programs" / "onboarding.yaml").write_text(PROGRAM, encoding="utf-8")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
            "LMS_CONTENT_DIR": str(tmp / "content"),
            "LMS_BASE_URL": "https://attest.example.com",
            "SECRET_KEY": SECRET,
        }
    )
    # The JSON request log is written, as in production, but not onto the table below.
    logging.getLogger("lms.request").handlers[0].setStream(open(os.devnull, "w"))  # noqa: SIM115
    with app.app_context():
        db.create_all()
        sync_content(load_content(tmp / "content"))
        day = date(2026, 3, 2)
        user = create_user(email="chloe@example.com", full_name="Chloé García-Wójcik", today=day)
        assignment = db.session.scalar(db.select(Assignment))
        progress = progress_of(
            assignment, current_version(assignment.module_id), cycle_attempts(assignment), day
        )
        sign_attestation(
            progress,
            user,
            user.full_name,
            ip_address=None,
            user_agent=None,
            now=datetime.combine(day, clock(10), tzinfo=UTC),
        )
        db.session.commit()
        code = db.session.scalar(db.select(Certificate.code))
        cookie, _ = signed_in(app, user)
    return app, cookie, code


def wsgi_get(app, path: str, cookie: str) -> Callable[[], bytes]:
    """Return a function making the request as gunicorn would hand it to the app."""
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(
        path=path,
        base_url="https://localhost",
        headers={"Cookie": cookie},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    ).get_environ()
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=dict(headers))

    def get() -> bytes:
        body = b"".join(app(dict(environ), start_response))
        assert answer["status"] == "200 OK" and body.startswith(b"%PDF"), answer["status"]
        assert "Set-Cookie" not in answer["headers"]  # the session was accepted as it is
        return body

    return get


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()

    from weasyprint import CSS, HTML
    from weasyprint.text import ffi

    from lms.certificates import render
    from lms.certificates.operations import certificate_text, find_certificate
    from lms.extensions import db
    from lms.models import Certificate

    with tempfile.TemporaryDirectory() as tmp:
        app, cookie, code = build(Path(tmp))
        download = wsgi_get(app, f"/certificates/{code}.pdf", cookie)
        with app.app_context():
            record = find_certificate(code)
            text = certificate_text(record, app.config["LMS_ORG_NAME"], f"https://x/verify/{code}")
        html = render.certificate_html(text)
        css_source = (render.ASSET_DIR / "certificate.css").read_text()

        def bare_certificate() -> bytes:
            fetcher = render.AssetFetcher(
                {render.QR_NAME: (render.qr_png(text.verify_url), "image/png")}
            )
            css = CSS(string=css_source, base_url=render.BASE_URL, url_fetcher=fetcher)
            doc = HTML(string=html, base_url=render.BASE_URL, url_fetcher=fetcher)
            return doc.write_pdf(stylesheets=[css])

        def clear_stored_pdf() -> None:
            with app.app_context():
                db.session.execute(db.update(Certificate).values(pdf=None, rendered_at=None))
                db.session.commit()

        rows: dict[str, list[float]] = {
            "baseline": [],
            "bare": [],
            "render": [],
            "first": [],
            "cold": [],
            "cached": [],
        }
        for step in ("warm-up", *range(args.rounds)):
            samples = {
                "baseline": timed(lambda: HTML(string=MINIMAL_PAGE).write_pdf()),
                "bare": timed(bare_certificate),
                "render": timed(lambda: render.render_certificate(text)),
            }
            clear_stored_pdf()
            samples["first"] = timed(download)
            samples["cold"] = timed(download)
            repeats = [timed(download) for _ in range(REPEATS)]
            if step != "warm-up":
                for key, value in samples.items():
                    rows[key].append(value)
                rows["cached"] += repeats

    median = {key: statistics.median(values) for key, values in rows.items()}
    base = median["baseline"]
    labels = {
        "baseline": "bare WeasyPrint, minimal page (baseline)",
        "bare": "bare WeasyPrint, this certificate, fonts loaded each time",
        "render": "Attest first render (template, QR code, PDF)",
        "first": "first download through the app (render, store, send)",
        "cold": "repeated download right after the render (cold caches)",
        "cached": "repeated download through the app (stored PDF)",
    }
    hb_subset = bool(getattr(ffi, "harfbuzz_subset", None))
    print(
        f"Certificate rendering, {args.rounds} interleaved rounds, HarfBuzz subsetter: "
        f"{'yes' if hb_subset else 'NO (install libharfbuzz-subset0)'}"
    )
    print()
    print(f"| {'measure':<58} | {'median ms':>9} | {'x baseline':>10} |")
    print(f"| {'-' * 58} | {'-' * 9}: | {'-' * 10}: |")
    for key, label in labels.items():
        print(f"| {label:<58} | {median[key]:>9.2f} | {median[key] / base:>10.2f} |")
    print()
    first_ratio = median["render"] / base
    cached_ratio = median["first"] / median["cached"]
    print(
        f"first render / baseline:                 {first_ratio:5.2f}x  (target <= 2x)  "
        f"{'ok' if first_ratio <= 2 else 'MISSED'}"
    )
    print(
        f"first download / repeated download:      {cached_ratio:5.1f}x  (target >= 20x) "
        f"{'ok' if cached_ratio >= 20 else 'MISSED'}"
    )
    print(f"first render alone / repeated download:  {median['render'] / median['cached']:5.1f}x")
    print(f"first download / repeat right after it:  {median['first'] / median['cold']:5.1f}x")


if __name__ == "__main__":
    main()
