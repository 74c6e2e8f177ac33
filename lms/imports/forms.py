from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp

INVITE_LABEL = "Email each new hire an invitation to set a password"


class UploadForm(FlaskForm):
    file = FileField("CSV file from the HR system", validators=[FileRequired("Choose a file.")])
    invite = BooleanField(INVITE_LABEL)
    submit = SubmitField("Preview changes")


class ConfirmForm(FlaskForm):
    """Confirms one staged upload, as previewed: `digest` is the plan HR saw."""

    # At most 9 digits: a bigger number overflowed the id column when looked up.
    staged_id = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9]{1,9}$")])
    digest = HiddenField(validators=[DataRequired(), Length(min=64, max=64)])
    partial = HiddenField()
    invite = BooleanField(INVITE_LABEL)
    submit = SubmitField("Import")


class InviteForm(FlaskForm):
    next = HiddenField()
    submit = SubmitField("Send a new invitation")


class PreviewAgainForm(FlaskForm):
    """Previews a background import's upload again, after people changed since its preview."""

    submit = SubmitField("Preview the changes again")
