"""`make screenshots`: PNGs of the main pages at desktop and phone widths, from a demo database.

    python -m tests.browser.screenshots docs/screenshots

Builds a fresh SQLite database in a temporary folder, syncs content/, loads the demo
(the same seed as `make run`), serves the app on a loopback port and drives Debian's
Chromium through it: the demo new hire opens a module and passes its quiz, HR looks
at the dashboard, a transcript, the import page and a certificate, and anyone the
public verify page. Each page is saved at 1280 and 375 CSS px wide, as much of it as
fits in SHOT_HEIGHT, so the PNGs stay small.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
from pathlib import Path

from sqlalchemy import select
from werkzeug.serving import make_server

from tests.browser.pages import CHROMIUM

WIDTHS = {"desktop": (1280, 800), "phone": (375, 740)}
# The new hire passes one module's quiz per width, so each width gets a module still to take.
QUIZ_MODULE = {"desktop": "dignity-and-respect", "phone": "honesty-in-every-answer"}
SHOT_HEIGHT = {"desktop": 1200, "phone": 1600}  # CSS px kept from the top of each page
DEMO_PASSWORD = "attest-demo-password"  # noqa: S105 - the demo's published password


def build_app(folder: Path):
    from lms import create_app
    from lms.extensions import db

    os.environ.setdefault("LMS_ENV", "development")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.db'}",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": 9,  # discard: nothing the screenshots do needs mail to arrive
            "LMS_PAGE_CACHE_BYTES": 0,
            "LMS_REQUEST_LOG": "off",
        }
    )
    with app.app_context():
        db.create_all()
    runner = app.test_cli_runner()
    for command in (["lms", "sync-content"], ["lms", "demo"]):
        result = runner.invoke(args=command)
        if result.exit_code != 0:
            raise SystemExit(f"flask {' '.join(command)} failed:\n{result.output}")
    return app


def right_answers(app, attempt_id: int) -> list[int]:
    from lms.extensions import db
    from lms.models import Attempt, Choice

    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        ids = [item["question_id"] for item in attempt.drawn]
        return list(
            db.session.scalars(
                select(Choice.id).where(Choice.question_id.in_(ids), Choice.is_correct)
            )
        )


def a_certificate_code(app) -> str:
    from lms.extensions import db
    from lms.models import Certificate, User

    with app.app_context():
        return db.session.scalar(
            select(Certificate.code)
            .join(User, User.id == Certificate.user_id)
            .where(User.email == "employee@example.com")
            .where(Certificate.revoked_at.is_(None))
            .order_by(Certificate.id)
        )


class Shooter:
    def __init__(self, browser, base_url: str, out: Path) -> None:
        self.browser, self.base_url, self.out = browser, base_url, out
        self.saved: list[Path] = []

    def context(self, kind: str):
        width, height = WIDTHS[kind]
        return self.browser.new_context(
            base_url=self.base_url,
            viewport={"width": width, "height": height},
            device_scale_factor=1,
            is_mobile=kind == "phone",
            has_touch=kind == "phone",
            locale="en-GB",
            timezone_id="UTC",
        )

    def shoot(self, page, name: str, kind: str) -> None:
        page.wait_for_load_state("networkidle")
        width = WIDTHS[kind][0]
        full = page.evaluate("document.documentElement.scrollHeight")
        path = self.out / f"{name}-{kind}.png"
        clip = {"x": 0, "y": 0, "width": width, "height": min(full, SHOT_HEIGHT[kind])}
        page.screenshot(path=str(path), full_page=True, clip=clip)
        small(path)
        self.saved.append(path)


def small(path: Path) -> None:
    """Rewrite a screenshot with a 256-colour palette: a third of the size, the same to the eye."""
    from PIL import Image

    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    reduced.save(path, optimize=True)


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def learner_pages(shooter: Shooter, app, kind: str) -> None:
    context = shooter.context(kind)
    page = context.new_page()
    page.goto("/login")
    shooter.shoot(page, "sign-in", kind)
    sign_in(page, "employee@example.com")
    page.goto("/")
    shooter.shoot(page, "dashboard", kind)
    page.goto(f"/modules/{QUIZ_MODULE[kind]}")
    shooter.shoot(page, "module", kind)
    page.get_by_role("button", name="Take the quiz").click()
    page.wait_for_url("**/attempts/*")
    shooter.shoot(page, "quiz", kind)
    attempt_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    for choice_id in right_answers(app, attempt_id):
        page.locator(f"#c{choice_id}").check()
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_url("**/result")
    shooter.shoot(page, "result", kind)
    page.locator("#sign").scroll_into_view_if_needed()
    page.get_by_label("Type your full name to sign").fill("Erin Example")
    page.get_by_role("button", name="Sign and complete").click()  # a valid certificate for HR
    page.wait_for_url(lambda url: "/result" not in url)  # signed: on to the next page
    context.close()


def hr_pages(shooter: Shooter, app, kind: str) -> None:
    code = a_certificate_code(app)
    context = shooter.context(kind)
    page = context.new_page()
    sign_in(page, "hr@example.com")
    page.goto("/hr/")
    shooter.shoot(page, "hr-dashboard", kind)
    page.locator("main a[href^='/hr/people/']").first.click()
    shooter.shoot(page, "person", kind)
    page.goto("/hr/import/")
    shooter.shoot(page, "import", kind)
    page.goto(f"/certificates/{code}")
    shooter.shoot(page, "certificate", kind)
    context.close()
    context = shooter.context(kind)
    page = context.new_page()
    page.goto(f"/verify/{code}")
    shooter.shoot(page, "verify", kind)
    context.close()


def main(out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(Path(folder))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        base_url = f"http://127.0.0.1:{server.server_port}"
        app.config["LMS_BASE_URL"] = base_url
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM,
                    args=["--no-sandbox", "--disable-background-networking", "--lang=en-GB"],
                )
                shooter = Shooter(browser, base_url, out)
                for kind in WIDTHS:
                    learner_pages(shooter, app, kind)
                    hr_pages(shooter, app, kind)
                browser.close()
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
    return shooter.saved


if __name__ == "__main__":
    for saved in main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")):
        print(f"{saved} ({saved.stat().st_size // 1024} KiB)")
