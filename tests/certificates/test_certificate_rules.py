"""Certificate status, download rights and verification codes: plain rules, tables of cases."""

from datetime import UTC, date, datetime

import pytest

from lms.certificates.codes import ALPHABET, LENGTH, format_code, new_code, normalise_code
from lms.certificates.rules import (
    EXPIRED,
    REVOKED,
    SUPERSEDED,
    VALID,
    can_download,
    certificate_status,
    reopening_after_revocation,
)
from lms.periods import parse_period
from lms.status import assignment_status, expiry_for

TODAY = date(2026, 3, 10)
AT = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expires_on", "superseded_at", "revoked_at", "expected"),
    [
        (date(2027, 1, 1), None, None, VALID),
        (None, None, None, VALID),  # one-time training never lapses
        (TODAY, None, None, VALID),  # valid through its expiry day
        (date(2026, 3, 9), None, None, EXPIRED),  # expired the day after
        (date(2027, 1, 1), AT, None, SUPERSEDED),
        (date(2026, 3, 9), AT, None, SUPERSEDED),  # superseded beats expired
        (date(2027, 1, 1), None, AT, REVOKED),
        (date(2026, 3, 9), None, AT, REVOKED),  # revoked beats expired
        (date(2027, 1, 1), AT, AT, REVOKED),  # revoked beats superseded
        (None, AT, AT, REVOKED),
    ],
)
def test_certificate_status_table(expires_on, superseded_at, revoked_at, expected):
    status = certificate_status(
        TODAY, expires_on=expires_on, superseded_at=superseded_at, revoked_at=revoked_at
    )
    assert status == expected


@pytest.mark.parametrize(
    ("revoked_on", "is_superseded", "due_days", "cycle", "expected"),
    [
        # the current completion's certificate: due again due_days on, in a new cycle
        (date(2026, 3, 10), False, 30, 2, (date(2026, 4, 9), 3)),
        (date(2026, 12, 15), False, 30, 5, (date(2027, 1, 14), 6)),  # over the year end
        (date(2028, 2, 29), False, 1, 2, (date(2028, 3, 1), 3)),  # leap day
        (date(2026, 3, 10), False, 0, 2, (date(2026, 3, 10), 3)),  # due the same day
        # a certificate a renewal superseded certifies nothing today: no change
        (date(2026, 3, 10), True, 30, 3, None),
    ],
)
def test_revoking_the_current_certificate_reopens_its_assignment(
    revoked_on, is_superseded, due_days, cycle, expected
):
    reopening = reopening_after_revocation(
        revoked_on, is_superseded=is_superseded, due_days=due_days, cycle=cycle
    )
    assert reopening == expected


REVOKED_ON = date(2026, 3, 10)
DUE_AGAIN = date(2026, 4, 9)  # revoked_on + 30 days


@pytest.mark.parametrize(
    ("today", "is_started", "is_exempt", "expected"),
    [
        (REVOKED_ON, False, False, "not_started"),  # not complete from the revocation day
        (DUE_AGAIN, False, False, "not_started"),  # the due day itself is not overdue
        (DUE_AGAIN, True, False, "in_progress"),
        (date(2026, 4, 10), False, False, "overdue"),
        (date(2026, 4, 10), False, True, "exempt"),  # an exemption still wins
    ],
)
def test_a_reopened_assignment_has_the_usual_statuses(today, is_started, is_exempt, expected):
    # What revoke_certificate leaves: no completion, due again, the dates cleared.
    status = assignment_status(
        today,
        due_date=DUE_AGAIN,
        completed_on=None,
        expires_on=None,
        renewal_opens_on=None,
        is_exempt=is_exempt,
        is_started=is_started,
    )
    assert status == expected


@pytest.mark.parametrize(
    ("completed_on", "expected"),
    [
        (date(2026, 3, 20), date(2027, 4, 9)),  # on time: one period after the new due date
        (DUE_AGAIN, date(2027, 4, 9)),
        (date(2026, 5, 1), date(2027, 5, 1)),  # late: one period after the completion day
    ],
)
def test_the_cycle_after_a_revocation_expires_as_a_first_completion(completed_on, expected):
    expires = expiry_for(
        completed_on, parse_period("1 year"), due_date=DUE_AGAIN, previous_expiry=None
    )
    assert expires == expected


@pytest.mark.parametrize(
    ("is_owner", "is_hr", "manages_owner", "is_revoked", "expected"),
    [
        (True, False, False, False, True),  # the holder
        (False, False, True, False, True),  # anyone up their management chain
        (False, True, False, False, True),  # HR
        (False, False, False, False, False),  # anyone else
        (True, False, False, True, False),  # revoked: not even the holder
        (False, False, True, True, False),
        (False, True, False, True, True),  # revoked: HR only
        (True, True, False, True, True),
    ],
)
def test_who_may_download_a_certificate(is_owner, is_hr, manages_owner, is_revoked, expected):
    allowed = can_download(
        is_owner=is_owner, is_hr=is_hr, manages_owner=manages_owner, is_revoked=is_revoked
    )
    assert allowed is expected


def test_new_codes_carry_80_random_bits_in_crockford_base32():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == LENGTH == 16 and set(c) <= set(ALPHABET) for c in codes)
    assert len(ALPHABET) == 32 and not set("ILOU") & set(ALPHABET)
    assert set("".join(codes)) == set(ALPHABET)  # every symbol is drawn


def test_codes_are_shown_in_groups_of_four():
    assert format_code("K7QD9XRMP2VAT3NB") == "K7QD-9XRM-P2VA-T3NB"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("K7QD9XRMP2VAT3NB", "K7QD9XRMP2VAT3NB"),
        ("K7QD-9XRM-P2VA-T3NB", "K7QD9XRMP2VAT3NB"),
        ("k7qd-9xrm-p2va-t3nb", "K7QD9XRMP2VAT3NB"),
        ("  k7qd 9xrm p2va t3nb \n", "K7QD9XRMP2VAT3NB"),
        ("K7QD–9XRM—P2VA.T3NB", "K7QD9XRMP2VAT3NB"),  # en and em dashes, dots
        ("K7QD-9XRM-P2VA-T3NBO", None),  # one symbol too many
        ("1ILO-0000-0000-0000", "1110000000000000"),  # look-alikes read as digits
        ("https://attest.example/verify/K7QD-9XRM-P2VA-T3NB", "K7QD9XRMP2VAT3NB"),
        ("http://attest.test/verify/K7QD9XRMP2VAT3NB.json", "K7QD9XRMP2VAT3NB"),
        ("K7QD-9XRM-P2VA", None),  # too short
        ("K7QD-9XRM-P2VA-T3NU", None),  # U is not in the alphabet
        ("K7QD-9XRM-P2VA-T3N!", None),
        ("<script>alert(1)</script>", None),
        ("", None),
        ("----", None),
    ],
)
def test_typed_codes_are_read_tolerantly(typed, expected):
    assert normalise_code(typed) == expected
