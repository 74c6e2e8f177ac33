from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from lms.people.passwords import password_problem


class LoginForm(FlaskForm):
    # Named `email` for what it was; it takes an employee number too (people without email).
    email = StringField("Email or employee number", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    remember = BooleanField("Keep me signed in on this device")
    submit = SubmitField("Sign in")


class LogoutForm(FlaskForm):
    submit = SubmitField("Sign out")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField("Email me a link")


def strong_enough(form, field) -> None:
    # The view sets `user_inputs` (the person's name and email): those make weak passwords too.
    if problem := password_problem(field.data or "", getattr(form, "user_inputs", ())):
        raise ValidationError(problem)


class SetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), strong_enough])
    confirm = PasswordField(
        "Type it again",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )
    submit = SubmitField("Set password")


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=256)])
    password = PasswordField("New password", validators=[DataRequired(), strong_enough])
    confirm = PasswordField(
        "Type the new one again",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )
    submit = SubmitField("Change password")
