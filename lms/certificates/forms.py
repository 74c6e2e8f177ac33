from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        "Reason for revoking (kept in the audit trail, not shown publicly)",
        validators=[
            DataRequired(message="Give a reason for revoking this certificate."),
            Length(max=1000),
        ],
    )
    submit = SubmitField("Revoke certificate")
