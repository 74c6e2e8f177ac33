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
)

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
