from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp


class ActivateForm(FlaskForm):
    employee_id = StringField("Employee number", validators=[DataRequired(), Length(max=64)])
    code = StringField(
        "Activation code (from your letter)", validators=[DataRequired(), Length(max=300)]
    )
    password = PasswordField("Choose a password", validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        "Type it again",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )
    submit = SubmitField("Set my password")


class LettersForm(FlaskForm):
    department = SelectField(
        "Department", choices=[], validate_choice=True, validators=[Optional()]
    )
    new_only = BooleanField("Only people who never had a letter and never signed up")
    # One person's letter, from their row: digits only (an id), else the whole run.
    user_id = HiddenField(validators=[Optional(), Regexp(r"^\d{1,18}$")])
    submit = SubmitField("Print letters (PDF)")
