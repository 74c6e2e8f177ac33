from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from lms.hr.forms import AttemptsForm
from lms.hr.operations import MAX_REASON
from lms.moreattempts.rules import MAX_MESSAGE


class AskForm(FlaskForm):
    """The learner's request; the message is optional."""

    message = TextAreaField(
        "A note for HR (optional)",
        validators=[Optional(), Length(max=MAX_MESSAGE)],
        render_kw={"rows": 3, "maxlength": MAX_MESSAGE},
    )
    submit = SubmitField("Ask HR for more attempts")


class GrantForm(AttemptsForm):
    """HR's grant: the number of attempts as on a transcript, with a note the learner is sent."""

    reason = StringField(
        "Note (kept in the audit trail, sent to the learner)",
        validators=[InputRequired(message="Give a reason."), Length(max=MAX_REASON)],
    )
    submit = SubmitField("Grant")


class RefuseForm(FlaskForm):
    reason = StringField(
        "Reason (kept in the audit trail, sent to the learner)",
        validators=[InputRequired(message="Give a reason."), Length(max=MAX_REASON)],
    )
    submit = SubmitField("Refuse")
