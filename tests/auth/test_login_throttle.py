"""Sign-in throttles: per account from any address, and per address generously enough for a store."""

import pytest

from lms.extensions import db
from tests.factories import PASSWORD, make_employee


@pytest.fixture
def limited(app_with):
    return app_with(RATELIMIT_ENABLED=True)


def attempt(client, email, password, ip):
    data = {"email": email, "password": password}
    return client.post("/login", data=data, environ_base={"REMOTE_ADDR": ip}).status_code


def test_one_account_cannot_be_guessed_from_many_addresses(limited):
    with limited.app_context():
        make_employee()
    client = limited.test_client()
    guesses = [
        attempt(client, "Erin@Example.com", f"guess number {n}", f"203.0.113.{n}")
        for n in range(11)
    ]
    assert guesses == [401] * 10 + [429]
    # Even the right password waits out the window, from any address.
    assert attempt(limited.test_client(), "erin@example.com", PASSWORD, "198.51.100.7") == 429


def test_successful_sign_ins_do_not_count_against_the_account(limited):
    with limited.app_context():
        make_employee()
    for n in range(15):
        assert attempt(limited.test_client(), "erin@example.com", PASSWORD, f"10.0.0.{n}") == 302


def test_failures_on_one_account_do_not_lock_out_another(limited):
    with limited.app_context():
        make_employee()
    client = limited.test_client()
    for n in range(10):
        attempt(client, "someone@example.com", f"guess number {n}", "192.0.2.1")
    assert attempt(client, "someone@example.com", "one more guess", "192.0.2.1") == 429
    assert attempt(limited.test_client(), "erin@example.com", PASSWORD, "192.0.2.1") == 302


def test_a_whole_store_behind_one_address_can_sign_in_at_the_start_of_a_shift(limited):
    with limited.app_context():
        for n in range(40):
            make_employee(email=f"staff{n}@example.com", full_name=f"Staff {n}")
        db.session.commit()
    statuses = []
    for n in range(40):
        client = limited.test_client()  # each at their own till
        if n % 4 == 0:  # some mistype it first
            statuses.append(attempt(client, f"staff{n}@example.com", "mistyped it", "192.0.2.50"))
        statuses.append(attempt(client, f"staff{n}@example.com", PASSWORD, "192.0.2.50"))
    assert 429 not in statuses and statuses.count(302) == 40


def test_one_address_is_still_limited(limited):
    client = limited.test_client()
    statuses = [attempt(client, f"x{n}@example.com", "some guess!", "192.0.2.9") for n in range(61)]
    assert statuses[:60] == [401] * 60 and statuses[60] == 429
