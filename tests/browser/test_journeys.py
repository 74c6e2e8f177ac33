"""The main journeys, driven in headless Chromium; every page they visit is checked (pages.py).

The test module draws its whole pool on every attempt (conftest.py), so the right
answers are known: those marked correct in tests.factories.QUIZ.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import Certificate
from lms.models.base import utctoday
from tests.certificates.conftest import complete_on
from tests.factories import PASSWORD, QUIZ, make_employee
from tests.hr.importing import csv_bytes, row

# Without Playwright the whole package skips (conftest.py says why); don't fail collection.
expect = pytest.importorskip("playwright.sync_api").expect

RIGHT = {c["text"] for q in QUIZ for c in q["choices"] if isinstance(c, dict) and c.get("correct")}
WRONG = {c for q in QUIZ for c in q["choices"] if isinstance(c, str)}
MODULE = "Every Customer Served with Dignity"
NEW_PASSWORD = "a brand new passphrase"


def link_in(message) -> str:
    text = message.get_body(("plain",)).get_content()
    (link,) = set(re.findall(r"https?://[^/\s]+(/invite/[\w-]+)", text))
    return link


def sign_in(browse, email, password=PASSWORD):
    page = browse.page
    page.goto("/login")
    browse.check()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def answer(page, texts):
    """Tick, in every question, the choices whose text is in `texts`."""
    for label in page.locator("form.quiz label").all():
        if label.inner_text().strip() in texts:
            label.click()


def test_a_new_hire_from_invitation_to_certificate(browse, runner, synced, smtp_server, tmp_path):
    page = browse.page
    hires = tmp_path / "hires.csv"
    hires.write_bytes(csv_bytes(row("E1", "ana@example.com", "Ana Lima")))
    result = runner.invoke(args=["lms", "import-hires", str(hires), "--invite"])
    assert result.exit_code == 0, result.output
    (message,) = smtp_server.to("ana@example.com")

    page.goto(link_in(message))
    browse.check()
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label(re.compile("(Confirm|again)", re.I)).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("link", name=MODULE)).to_be_visible()
    browse.check("new hire")

    page.get_by_role("link", name=MODULE).click()
    expect(page.get_by_role("heading", name="Why it matters")).to_be_visible()
    browse.check()
    page.get_by_role("button", name="Take the quiz").click()
    expect(page.locator("form.quiz")).to_be_visible()
    browse.check()

    answer(page, WRONG)
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Not passed")
    browse.check("failed")

    page.get_by_role("button", name="Try again").click()
    expect(page.locator("form.quiz")).to_be_visible()
    page.get_by_role("button", name="Submit answers").click()  # nothing picked
    expect(page.locator("form.quiz")).to_be_visible()
    browse.check("incomplete")
    answer(page, RIGHT)
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Passed")
    browse.check("passed")

    name = page.get_by_label("Type your full name to sign")
    name.fill("Ana Lmia")
    page.get_by_role("button", name="Sign and complete").click()
    mismatch = re.compile("exactly as we have it|does not match|doesn.t match", re.I)
    expect(page.get_by_text(mismatch).first).to_be_visible()
    expect(page.locator("a[href$='.pdf']")).to_have_count(0)
    browse.check("name mistyped")
    page.get_by_label("Type your full name to sign").fill("Ana Lima")
    page.get_by_role("button", name="Sign and complete").click()
    pdf_link = page.locator("a[href$='.pdf']").first
    expect(pdf_link).to_be_visible()
    browse.check("complete")

    with page.expect_download() as download:
        pdf_link.click()
    path = download.value.path()
    assert path.read_bytes()[:5] == b"%PDF-"
    assert download.value.suggested_filename.endswith(".pdf")

    page.get_by_role("link", name=MODULE).click()
    page.get_by_role("link", name=re.compile("details and verification", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("certificate")
    browse.check("holder")
    page.get_by_role("link", name="Public verify page").click()
    expect(page.get_by_text("Ana Lima").first).to_be_visible()
    browse.check()


def labels_on_a_phone(page, caption: str) -> list[str]:
    """What a phone shows before each cell of a table's first row, where its header row is hidden."""
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 740})
    try:
        return page.evaluate(
            """caption => {
                 const table = [...document.querySelectorAll("table")]
                   .find(t => t.caption && t.caption.innerText.trim() === caption);
                 return [...table.tBodies[0].rows[0].cells]
                   .map(td => getComputedStyle(td, "::before").content.replace(/^"|"$/g, ""));
               }""",
            caption,
        )
    finally:
        page.set_viewport_size(size)


def test_hr_imports_drills_down_and_revokes(browse, synced, tmp_path):
    page = browse.page
    make_employee(email="hr@example.com", full_name="Hana Reyes", is_hr=True, department="People")
    erin = make_employee(hire_date=utctoday() - timedelta(days=400), employee_id="E7")
    complete_on(erin, utctoday())
    code = db.session.scalar(select(Certificate.code))
    sign_in(browse, "hr@example.com")

    page.goto("/hr/import/")
    browse.check()
    bad = csv_bytes(
        row("E1", "ana@example.com", "Ana Lima"), row("E2", "not-an-email", "Ben Okafor")
    )
    page.get_by_label(re.compile("file", re.I)).set_input_files(
        files=[{"name": "hires.csv", "mimeType": "text/csv", "buffer": bad}]
    )
    page.get_by_role("button", name=re.compile("upload|preview", re.I)).click()
    expect(page.locator("#errors")).to_contain_text("not-an-email")
    browse.check("problems")

    page.get_by_role("link", name="Import hires").first.click()
    good = csv_bytes(
        row("E1", "ana@example.com", "Ana Lima"), row("E2", "ben@example.com", "Ben Okafor")
    )
    page.get_by_label(re.compile("file", re.I)).set_input_files(
        files=[{"name": "hires.csv", "mimeType": "text/csv", "buffer": good}]
    )
    page.get_by_role("button", name=re.compile("upload|preview", re.I)).click()
    expect(page.locator("#count-new")).to_have_text("2")
    browse.check("preview")
    page.get_by_role("button", name="Import 2 changes").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    browse.check("imported")

    page.goto("/hr/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Compliance")
    browse.check()
    page.locator("main a[href^='/hr/modules/']").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MODULE)
    browse.check()
    page.get_by_role("link", name="Erin Example").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Erin Example")
    browse.check()
    assert labels_on_a_phone(page, "Completions and certificates") == [
        "Cycle: ",
        "Completed: ",
        "Expires: ",
        "Score: ",
        "Version: ",
        "Certificate: ",
    ]

    page.locator(f"a[href='/certificates/{code}']").click()
    browse.check("HR")
    page.get_by_label(re.compile("reason", re.I)).fill("Signed on behalf of someone else")
    page.get_by_label(re.compile("I understand", re.I)).check()
    page.get_by_role("button", name=re.compile("revoke", re.I)).click()
    confirm = page.get_by_role("button", name=re.compile("revoke", re.I))
    if "/revoke" in page.url and confirm.count():  # a confirmation step, when there is one
        browse.check("confirm revoke")
        confirm.first.click()
    expect(page.get_by_text(re.compile("revoked", re.I)).first).to_be_visible()
    browse.check("revoked")
    db.session.expire_all()
    assert db.session.scalar(select(Certificate.revoked_at)) is not None


def test_a_manager_opens_the_team_view(browse, synced):
    page = browse.page
    make_employee(email="mo@example.com", full_name="Mo Manager", department="Stores")
    hired = utctoday() - timedelta(days=60)
    make_employee(manager_email="mo@example.com", hire_date=hired, today=hired)  # overdue
    sign_in(browse, "mo@example.com")
    page.get_by_role("link", name="My team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My team's compliance")
    browse.check("manager")
    page.get_by_role("link", name="Erin Example").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Erin Example")
    browse.check("manager")
    page.locator("nav.hr-nav").get_by_role("link", name="People").click()
    expect(page.get_by_role("link", name="Erin Example").first).to_be_visible()
    browse.check("manager")


def test_hr_finds_a_managers_team_by_name(browse, synced):
    page = browse.page
    make_employee(email="hr@example.com", full_name="Hana Reyes", is_hr=True, department="People")
    for email, name, number in (
        ("mona@example.com", "Mona Lee", "E1042"),
        ("leeds@example.com", "Mona Leeds", "E2001"),
    ):
        make_employee(email=email, full_name=name, employee_id=number, department="Stores")
    make_employee(
        email="ada@example.com", full_name="Ada Adeyemi", manager_email="mona@example.com"
    )
    make_employee(
        email="ben@example.com", full_name="Ben Brennan", manager_email="leeds@example.com"
    )
    sign_in(browse, "hr@example.com")
    page.goto("/hr/assignments")
    page.get_by_label("Manager's team").fill("mona")
    page.get_by_label("Manager's team").press("Enter")
    matches = page.get_by_role("region", name=re.compile("Managers matching"))
    expect(matches.get_by_role("link")).to_have_text(["Mona Lee (E1042)", "Mona Leeds (E2001)"])
    browse.check("manager matches")
    matches.get_by_role("link", name="Mona Leeds (E2001)").click()
    expect(page.get_by_label("Manager's team")).to_have_value("Mona Leeds (E2001)")
    expect(page.get_by_role("link", name="Ben Brennan").first).to_be_visible()
    expect(page.get_by_role("link", name="Ada Adeyemi")).to_have_count(0)
    browse.check("manager's team")


def focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
                   const l = e.labels && e.labels[0];
                   const style = getComputedStyle(e);
                   return {tag: e.tagName, type: e.type || "", name: e.name || "",
                           outline: style.outlineStyle !== "none" && style.outlineWidth !== "0px",
                           text: (l ? l.innerText : e.innerText || e.value || "").trim()}; }"""
    )


def tab_to(page, wanted, limit=40) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if wanted(now):
            assert now["outline"], f"no visible focus indicator on {now}"  # WCAG 2.4.7
            return now
    raise AssertionError(f"Tab never reached the element wanted; last focused: {now}")


def test_the_quiz_with_the_keyboard_alone(browse, synced):
    page = browse.page
    make_employee()
    sign_in(browse, "erin@example.com")
    page.goto("/modules/dignity")
    tab_to(page, lambda e: e["text"] == "Take the quiz")
    page.keyboard.press("Enter")
    expect(page.locator("form.quiz")).to_be_visible()

    groups_done = set()
    while True:
        now = tab_to(
            page, lambda e: e["type"] in ("radio", "checkbox") or e["text"] == "Submit answers"
        )
        if now["type"] == "submit":
            break
        if now["type"] == "checkbox":
            if now["text"] in RIGHT:
                page.keyboard.press("Space")
            continue
        # A radio group takes one Tab stop; the arrow keys move the choice within it.
        assert now["name"] not in groups_done
        groups_done.add(now["name"])
        for _ in range(10):
            if now["text"] in RIGHT:
                page.keyboard.press("Space")
                break
            page.keyboard.press("ArrowDown")
            now = focused(page)
    assert focused(page)["text"] == "Submit answers"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Passed")
    browse.check("keyboard")

    tab_to(page, lambda e: e["name"] == "full_name")
    page.keyboard.type("Erin Example")
    page.keyboard.press("Enter")
    expect(page.locator("a[href$='.pdf']").first).to_be_visible()
