"""When a learner may ask HR for more attempts, and when HR may decide: tables."""

import pytest

from lms.moreattempts.rules import MAX_MESSAGE, clean_message, refusal_to_ask, refusal_to_decide


@pytest.mark.parametrize(
    ("step", "has_open", "refused"),
    [
        ("locked", False, None),
        ("locked", True, "already asked"),
        ("start", False, "only when you have none left"),
        ("resume", False, "only when you have none left"),
        ("sign", False, "only when you have none left"),
        ("done", True, "only when you have none left"),
    ],
)
def test_refusal_to_ask(step, has_open, refused):
    message = refusal_to_ask(step, has_open_request=has_open)
    assert message is None if refused is None else refused in message


@pytest.mark.parametrize(
    ("state", "own", "closed", "same_cycle", "refused"),
    [
        ("open", False, False, True, None),
        ("granted", False, False, True, "already been decided"),
        ("refused", False, False, True, "already been decided"),
        ("open", True, False, True, "your own request"),
        ("open", False, True, True, "closed"),
        ("open", False, False, False, "completed the module since"),
    ],
)
def test_refusal_to_decide(state, own, closed, same_cycle, refused):
    message = refusal_to_decide(
        state, actor_is_requester=own, assignment_closed=closed, same_cycle=same_cycle
    )
    assert message is None if refused is None else refused in message


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (None, None),
        ("   ", None),
        ("  I was ill\n during the quiz ", "I was ill during the quiz"),
        ("x" * (MAX_MESSAGE + 10), "x" * MAX_MESSAGE),
    ],
)
def test_clean_message(typed, kept):
    assert clean_message(typed) == kept
