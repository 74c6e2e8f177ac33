"""Activation codes and who gets a letter: the rules, as tables."""

from datetime import UTC, datetime

import pytest

from lms.activation.rules import (
    ALPHABET,
    code_hash,
    expires_at,
    format_code,
    is_new,
    letter_problem,
    new_code,
    normalise_code,
)

CODE = "K7QD9XRMP2VAT3NB"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("K7QD-9XRM-P2VA-T3NB", CODE),
        ("k7qd-9xrm-p2va-t3nb", CODE),  # lower case
        ("K7QD9XRMP2VAT3NB", CODE),  # no dashes
        ("  k7qd 9xrm  p2va t3nb ", CODE),  # spaces instead
        ("K7QD--9XRM–P2VA—T3NB", CODE),  # doubled dashes, en and em dashes
        ("K7QD.9XRM.P2VA.T3NB", CODE),
        ("http://attest.test/activate?code=K7QD-9XRM-P2VA-T3NB", CODE),  # the QR code's address
        ("https://x.example/activate?code=k7qd9xrmp2vat3nb&x=1", CODE),
        ("0OIL-0000-0000-0000", "0011000000000000"),  # look-alikes: O is 0, I and L are 1
        ("K7QD-9XRM-P2VA-T3N", None),  # a symbol short
        ("K7QD-9XRM-P2VA-T3NBX", None),  # one too many
        ("K7QD-9XRM-P2VA-T3NU", None),  # U is not in the alphabet
        ("K7QD-9XRM-P2VA-T3N!", None),
        ("", None),
        (None, None),
        ("http://attest.test/activate", None),
        ("http://attest.test/activate?code=", None),
    ],
)
def test_normalise_code(typed, expected):
    assert normalise_code(typed) == expected


def test_new_codes_have_80_random_bits_in_the_unambiguous_alphabet():
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert set(ALPHABET).isdisjoint("ILOU")
    for code in codes:
        assert len(code) == 16 and set(code) <= set(ALPHABET)  # 16 x 5 bits
        assert normalise_code(format_code(code)) == code
    assert format_code(CODE) == "K7QD-9XRM-P2VA-T3NB"


def test_codes_are_stored_hashed_and_last_30_days():
    assert code_hash(CODE) != CODE and len(code_hash(CODE)) == 64
    assert code_hash(CODE) == code_hash(normalise_code("k7qd 9xrm p2va t3nb"))
    issued = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
    assert expires_at(issued) == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("email", "employee_id", "is_active", "problem"),
    [
        (None, "E1", True, None),
        ("ana@example.com", "E1", True, "Ana Lima has an email address (ana@example.com)"),
        (None, None, True, "Ana Lima has no employee number"),
        (None, "E1", False, "Ana Lima has left"),
    ],
)
def test_letter_problem(email, employee_id, is_active, problem):
    found = letter_problem(
        full_name="Ana Lima", email=email, employee_id=employee_id, is_active=is_active
    )
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize(
    ("has_password", "ever_had_code", "new"),
    [(False, False, True), (True, False, False), (False, True, False), (True, True, False)],
)
def test_new_only_means_never_had_a_code_and_never_signed_up(has_password, ever_had_code, new):
    assert is_new(has_password=has_password, ever_had_code=ever_had_code) is new
