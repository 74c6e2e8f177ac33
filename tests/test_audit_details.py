"""lms.audit.as_stored: an event's details as the trail stores and hashes them, with or without the round trip.

Details that are JSON already skip the round trip through text (the import's
100,000 people and their assignments); anything else (dates, tuples, keys that are
not text, objects) still takes it. Either way the stored details and the event's
hash are what the round trip gives.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from lms.audit import as_stored, event_hash
from tests.input.properties import PURE

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.dates()
    | st.datetimes(timezones=st.just(UTC))
    | st.decimals(allow_nan=False, allow_infinity=False)
)
KEYS = st.text(max_size=8) | st.integers(-50, 50)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        | st.dictionaries(st.integers(-50, 50), inner, max_size=4)
    ),
    max_leaves=12,
)
DETAILS = st.none() | st.dictionaries(KEYS, VALUES, max_size=6)


def round_trip(details):
    import json

    return json.loads(json.dumps(details or {}, default=str))


def hashed(details):
    at = datetime(2026, 12, 3, 7, 30, tzinfo=UTC)
    return event_hash("0" * 64, at, "test.event", 1, 2, details)


@PURE
@given(DETAILS)
def test_details_are_stored_and_hashed_as_their_json_round_trip(details):
    stored = as_stored(details)
    expected = round_trip(details)
    assert stored == expected
    assert repr(stored) == repr(expected)  # the same types all the way down (1 is not 1.0)
    assert hashed(stored) == hashed(expected)


def test_details_with_dates_tuples_or_other_keys_take_the_round_trip():
    details = {"day": date(2026, 3, 2), "pair": (1, "a"), 3: "x", "cost": Decimal("1.50")}
    stored = as_stored(details)
    assert stored == {"day": "2026-03-02", "pair": [1, "a"], "3": "x", "cost": "1.50"}
    assert stored is not details


def test_details_that_are_json_already_are_kept_as_they_are():
    details = {"modules": {"welcome": "2026-03-02", "honesty": None}, "n": 3, "ok": True}
    assert as_stored(details) is details
    assert as_stored(None) == {} and as_stored({}) == {}
