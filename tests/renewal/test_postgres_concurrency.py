"""Two `renew` (or `send-mail`) processes at once on PostgreSQL send each email exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from lms import create_app
from lms.extensions import db
from lms.mail.outbox import queue_email
from lms.models import OutboxMessage
from lms.people.operations import create_user
from tests.factories import write_module, write_program
from tests.renewal.conftest import HIRED, stores_hires
from tests.smtp import SMTPServer

pytestmark = pytest.mark.postgres

PROJECT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).parent / "flask")
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://127.0.0.1:5432/test")
PEOPLE = 150


def postgres_reachable() -> bool:
    engine = create_engine(PG_URL, poolclass=NullPool, connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            return True
    except Exception:  # noqa: BLE001 - any failure to connect means "skip"
        return False
    finally:
        engine.dispose()


@pytest.fixture
def pg_app(tmp_path, monkeypatch):
    """An app on a fresh PostgreSQL schema, with content synced; yields (app, url, content)."""
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    schema = f"renew_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    url = url.render_as_string(hide_password=False)
    content = tmp_path / "content"
    write_module(content, quiz=None, questions_per_attempt=None, attempts=None)
    write_program(content, audience={"departments": ["Stores"]})
    monkeypatch.setenv("LMS_ENV", "testing")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LMS_CONTENT_DIR": str(content)})
    try:
        with app.app_context():
            db.create_all()
            result = app.test_cli_runner().invoke(args=["lms", "sync-content"])
            assert result.exit_code == 0, result.output
            yield app, url, content
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def smtp():
    server = SMTPServer().start()
    yield server
    server.stop()


def run_twice_at_once(args, url, content, smtp) -> list[subprocess.CompletedProcess]:
    env = {
        **os.environ,
        "LMS_ENV": "testing",
        "DATABASE_URL": url,
        "FLASK_APP": "wsgi.py",
        "LMS_CONTENT_DIR": str(content),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "MAIL_USE_TLS": "0",
    }
    env.pop("MAIL_USERNAME", None)
    processes = [
        subprocess.Popen(
            [FLASK, "lms", *args],
            cwd=PROJECT,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=180)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    for result in results:
        assert result.returncode == 0, result.stderr
    return results


def assert_each_sent_once(smtp, expected: int) -> None:
    ids = Counter(str(m["Message-ID"]) for m in smtp.messages)
    assert [mid for mid, n in ids.items() if n > 1] == []
    assert len(ids) == expected
    db.session.expire_all()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == expected
    unsent = select(func.count(OutboxMessage.id)).where(OutboxMessage.sent_at.is_(None))
    assert db.session.scalar(unsent) == 0


def test_two_renew_processes_at_once_send_each_reminder_once(pg_app, smtp):
    app, url, content = pg_app
    create_user(
        email="mona@example.com", full_name="Mona Manager", department="Management", today=HIRED
    )
    stores_hires(PEOPLE, manager_email="mona@example.com")
    results = run_twice_at_once(["renew", "--as-of", "2025-02-06"], url, content, smtp)
    assert_each_sent_once(smtp, 2 * PEOPLE)  # an overdue reminder each, and the manager's copy
    assert len(smtp.to("mona@example.com")) == PEOPLE
    queued = sorted(r.stdout.split("emails queued: ")[1].split()[0] for r in results)
    assert queued == ["0", str(2 * PEOPLE)], "the second run waited, then found nothing to do"


def test_two_senders_at_once_deliver_each_message_once(pg_app, smtp):
    app, url, content = pg_app
    erin = create_user(email="erin@example.com", full_name="Erin Example", today=HIRED)
    for n in range(400):
        queue_email(
            to=erin,
            subject=f"Message {n}",
            template="assigned",
            key=f"bulk:{n}",
            context={"employee": erin, "title": "T", "due": "", "link": ""},
        )
    db.session.commit()
    results = run_twice_at_once(["send-mail"], url, content, smtp)
    assert_each_sent_once(smtp, 400)
    sent = [int(r.stdout.split("emails sent: ")[1].split(",")[0]) for r in results]
    assert sum(sent) == 400, sent


def test_two_renew_processes_at_once_send_one_team_message(pg_app, smtp):
    """People without email: their manager's one message, and each line in it, go once."""
    app, url, content = pg_app
    create_user(
        email="mona@example.com", full_name="Mona Manager", department="Management", today=HIRED
    )
    stores_hires(PEOPLE, emails=False, manager_email="mona@example.com")
    run_twice_at_once(["renew", "--as-of", "2025-02-06"], url, content, smtp)
    assert_each_sent_once(smtp, 1)
    [message] = smtp.to("mona@example.com")
    text = message.get_body(("plain",)).get_content()
    assert text.count("- OVERDUE: ") == PEOPLE
    from lms.models import SentReminder

    assert db.session.scalar(select(func.count()).select_from(SentReminder)) == 2 * PEOPLE
    run_twice_at_once(["renew", "--as-of", "2025-02-06"], url, content, smtp)
    assert_each_sent_once(smtp, 1)  # nothing new, however often it runs
