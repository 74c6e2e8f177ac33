"""The signed-in person as every request sees them (`current_user`): what views read, no more.

Every signed-in request reads this from one statement (lms.auth.signing_in.load_user, on
the driver's cursor: see lms.database.driver_query). Until session 14 it came back as
a detached ORM `User` with nine columns loaded, so reading any other column raised
DetachedInstanceError in whichever view first tried. This type says exactly what there
is: tests/auth/test_signed_in_person.py walks every `current_user.<name>` in lms/ and
its templates and fails on a name not declared here. Code that needs more of a person,
or changes them, loads the `User` in the session (`db.session.get(User,
current_user.id)`).

For Flask-Login it is a signed-in user: authenticated, active, not anonymous, and its
id is the session's token (what the cookies name).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SignedInPerson:
    id: int
    email: str
    full_name: str
    is_hr: bool
    # Whether anyone reports to them (the HR link, report scopes); None when not read.
    has_reports: bool | None
    # Raised by triggers on any change to their training (the page cache's key).
    training_rev: int
    # The session this request came with: its row, and the token its cookies name.
    session_id: int
    session_token: str

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return self.session_token
