from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length


class StartQuizForm(FlaskForm):
    submit = SubmitField("Take the quiz")


class QuizForm(FlaskForm):
    """CSRF for the quiz; the answers are checked by `lms.grading.check_answers`."""

    submit = SubmitField("Submit answers")


class SignForm(FlaskForm):
    full_name = StringField(
        "Type your full name to sign", validators=[DataRequired(), Length(max=200)]
    )
    submit = SubmitField("Sign and complete")
