"""What every page shares: one date format, and a favicon."""

from datetime import date, datetime

import pytest

from lms.dates import format_date, format_datetime


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (date(2026, 12, 2), "2 Dec 2026"),
        (date(2027, 1, 31), "31 Jan 2027"),
        (datetime(2026, 12, 2, 9, 5), "2 Dec 2026"),
        (None, ""),
    ],
)
def test_format_date(value, text):
    assert format_date(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(datetime(2026, 12, 2, 9, 5), "2 Dec 2026 09:05"), (None, "")],
)
def test_format_datetime(value, text):
    assert format_datetime(value) == text


def test_no_template_formats_dates_its_own_way():
    from pathlib import Path

    import lms

    templates = Path(lms.__file__).parent / "templates"
    for path in templates.rglob("*.*"):
        text = path.read_text()
        assert "strftime" not in text, path


def test_favicon_is_served_and_linked(client, auth, synced):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO
    with client.get("/static/favicon.svg") as response:
        assert response.status_code == 200
    page = client.get("/login", follow_redirects=True).get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in page
    assert 'href="/favicon.ico"' in page
