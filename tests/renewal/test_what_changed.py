"""What changed: a raised version needs `changes`; the re-signer sees it with the words that changed.

End to end: sync version 1, complete it, raise to version 2 with a note, sync, renew:
the retraining email (through a real SMTP server) carries the note, and the
learner's module page shows the note and a word-level difference.
"""

from datetime import timedelta

from sqlalchemy import func, select

from lms.extensions import db
from lms.models import ModuleVersion
from lms.models.base import utctoday
from tests.factories import make_employee, module_text, write_module
from tests.renewal.conftest import TITLE, complete_on, renew_on

TODAY = utctoday()
HIRED = TODAY - timedelta(days=100)
BODY_1 = "# Dignity\n\n## What we do\n\nWe listen to every customer before we answer.\n"
BODY_2 = (
    "# Dignity\n\n## What we do\n\nWe listen to every customer and repeat back what we heard.\n\n"
    "## Access\n\nAsk whether someone needs a reasonable adjustment.\n"
)
NOTE = ["Staff repeat back what they heard.", "A new section on reasonable adjustments."]


def write_version(content_dir, version, body, **overrides):
    write_module(
        content_dir,
        text=module_text(
            version=version,
            quiz=None,
            attempts=None,
            questions_per_attempt=None,
            body=body,
            **overrides,
        ),
    )


def sync(runner):
    return runner.invoke(args=["lms", "sync-content"])


def test_raising_the_version_without_changes_is_refused_and_changes_nothing(
    runner, content_dir, synced
):
    write_version(content_dir, 2, BODY_2)
    result = sync(runner)
    assert result.exit_code == 1
    assert (
        "content/modules/dignity.md:3: version raised from 1 to 2 without 'changes'"
        in result.output
    )
    assert "nothing was changed" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ModuleVersion)) == 1
    dry = runner.invoke(args=["lms", "sync-content", "--dry-run"])
    assert dry.exit_code == 1


def test_changes_must_be_a_sentence_or_a_list_of_sentences(runner, content_dir, synced):
    write_version(content_dir, 2, BODY_2, changes={"what": "everything"})
    result = sync(runner)
    assert result.exit_code == 1
    assert "'changes' must be a sentence or a list of sentences" in result.output


def test_a_first_load_and_an_edit_within_a_version_need_no_changes(runner, content_dir, synced):
    write_version(content_dir, 1, BODY_2)  # a typo fix: same version
    assert sync(runner).exit_code == 0
    write_module(
        content_dir,
        "other",
        text=module_text(version=4, quiz=None, attempts=None, questions_per_attempt=None),
    )
    assert sync(runner).exit_code == 0


def test_changes_are_stored_with_the_version_as_a_list(runner, content_dir, synced):
    write_version(content_dir, 2, BODY_2, changes="Staff repeat back   what they heard.")
    assert sync(runner).exit_code == 0
    version = db.session.scalar(select(ModuleVersion).where(ModuleVersion.is_current))
    assert version.changes == ["Staff repeat back what they heard."]
    assert version.source_path == "content/modules/dignity.md"


def test_a_holder_asked_to_retrain_gets_the_note_by_email_and_sees_what_changed(
    runner, content_dir, smtp_server, client, auth, synced
):
    write_version(content_dir, 1, BODY_1)
    assert sync(runner).exit_code == 0
    erin = make_employee(hire_date=HIRED, today=HIRED)
    complete_on(erin, HIRED + timedelta(days=20))

    write_version(content_dir, 2, BODY_2, changes=NOTE, retrain_on_change=True)
    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert "retraining: 1 holder(s)" in result.output

    mail, _ = renew_on(runner, smtp_server, TODAY)
    assert any(s.startswith(f"Updated policy: please retake {TITLE}") for _, s in mail)
    (message,) = smtp_server.to("erin@example.com")
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content()
    assert "What changed:\n- Staff repeat back what they heard.\n" in text
    assert "- A new section on reasonable adjustments." in text
    assert "<li>Staff repeat back what they heard.</li>" in html

    auth.login()
    page = client.get("/modules/dignity").get_data(as_text=True)
    assert "What changed since you signed version 1" in page
    assert "<h3>Version 2</h3>" in page
    assert "<li>A new section on reasonable adjustments.</li>" in page
    # difflib keeps the words both have ("we"): before → and repeat back what; answer. → heard.
    assert '<del><span class="visually-hidden">[deleted: </span>before<span' in page
    assert '<ins><span class="visually-hidden">[added: </span>and repeat back what<span' in page
    assert "[deleted: </span>answer.<span" in page
    assert "Ask whether someone needs a reasonable adjustment." in page


def test_a_signature_on_an_older_version_shows_what_changed_without_retraining(
    runner, content_dir, client, auth, synced
):
    write_version(content_dir, 1, BODY_1, retrain_on_change=False)
    assert sync(runner).exit_code == 0
    erin = make_employee(hire_date=HIRED, today=HIRED)
    complete_on(erin, HIRED + timedelta(days=20))
    write_version(content_dir, 2, BODY_2, changes=NOTE[:1], retrain_on_change=False)
    write_version(
        content_dir, 3, BODY_2 + "\nThanks.\n", changes=["Says thanks."], retrain_on_change=False
    )
    # two versions raised in one step of the file's history: only the last is loaded
    assert sync(runner).exit_code == 0
    auth.login()
    page = client.get("/modules/dignity").get_data(as_text=True)
    assert "What changed since you signed version 1" in page
    assert "<h3>Version 3</h3>" in page and "<li>Says thanks.</li>" in page
    assert 'Thanks.<span class="visually-hidden">]</span></ins>' in page


def test_no_note_for_someone_who_never_signed_or_signed_this_version(
    runner, content_dir, client, auth, synced
):
    erin = make_employee(hire_date=HIRED, today=HIRED)
    auth.login()
    assert "What changed" not in client.get("/modules/dignity").get_data(as_text=True)
    complete_on(erin, HIRED + timedelta(days=20))
    assert "What changed" not in client.get("/modules/dignity").get_data(as_text=True)
