from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from lms.hr.operations import MAX_EXTRA_ATTEMPTS, MAX_REASON
from lms.moreattempts.rules import MAX_MESSAGE


class AskForm(FlaskForm):
    """The learner's request; the message is optional."""

    message = TextAreaField(
        "A note for HR (optional)",
        validators=[Optional(), Length(max=MAX_MESSAGE)],
        render_kw={"rows": 3, "maxlength": MAX_MESSAGE},
    )
    submit = SubmitField("Ask HR for more attempts")


class GrantForm(FlaskForm):
    number = IntegerField(
        "Extra attempts",
        default=1,
        validators=[
            InputRequired(message="Give a number of attempts."),
            NumberRange(
                1, MAX_EXTRA_ATTEMPTS, message=f"Give a number from 1 to {MAX_EXTRA_ATTEMPTS}."
            ),
        ],
        render_kw={"min": 1, "max": MAX_EXTRA_ATTEMPTS},
    )
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
