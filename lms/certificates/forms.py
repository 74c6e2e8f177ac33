from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        "Reason for revoking (kept in the audit trail, not shown publicly)",
        validators=[
            DataRequired(message="Give a reason for revoking this certificate."),
            Length(max=1000),
        ],
    )
    # Revoking cannot be undone: the form asks HR to say they understand what it does.
    understood = BooleanField(
        "I understand: the holder loses this completion and must take the module again,"
        " and the certificate shows as revoked for good",
        validators=[
            DataRequired(message="Tick the box to confirm you understand what revoking does.")
        ],
    )
    submit = SubmitField("Revoke certificate")
