from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length


class VerifyForm(FlaskForm):
    """A typed certificate code.

    Sent with GET and without a CSRF token: it changes nothing, and a verify
    link must work when bookmarked or shared.
    """

    class Meta:
        csrf = False

    code = StringField(
        "Certificate code",
        validators=[
            DataRequired(message="Type the code printed on the certificate."),
            Length(max=200),
        ],
        render_kw={
            "autocomplete": "off",
            "spellcheck": "false",
            "autocapitalize": "characters",
            "placeholder": "K7QD-9XRM-P2VA-T3NB",
        },
    )
    submit = SubmitField("Check certificate")
