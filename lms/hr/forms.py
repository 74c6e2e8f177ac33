from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from lms.hr.operations import MAX_EXTRA_ATTEMPTS, MAX_REASON
from lms.imports.csvfile import date_range_problem
from lms.ops.badinput import is_id
from lms.reports.filters import MANAGERS_SHOWN, find_managers
from lms.reports.rules import choose_manager, manager_problem, parse_manager_query
from lms.reports.scope import Scope
from lms.status import LABELS, STATUSES


def choices(pairs) -> list[SelectChoice]:
    """Return (value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


STATUS_CHOICES = choices(
    [
        ("", "Any status"),
        ("compliant", "Compliant (complete, renewal open or exempt)"),
        ("noncompliant", "Not compliant (overdue or expired)"),
        ("pending", "Not yet due (not started or in progress)"),
        *((s, LABELS[s]) for s in STATUSES),
    ]
)
DATE_HELP = "Use the date picker or write YYYY-MM-DD."
REASON_REQUIRED = "Give a reason: it is kept in the audit trail."


def an_id(message: str):
    """A validator: the value is an id the database could hold (a bigger one overflowed)."""

    def check(_form, field) -> None:
        if not is_id(field.data or ""):
            raise ValidationError(message)

    return check


def in_date_range(_form, field) -> None:
    """Refuse a day outside the range Attest accepts (a later one overflowed the reports)."""
    if field.data is not None and (problem := date_range_problem(field.data)):
        raise ValidationError(problem + ".")


def date_field(label: str) -> DateField:
    return DateField(
        label, validators=[Optional(), in_date_range], render_kw={"placeholder": "YYYY-MM-DD"}
    )


class ReportFilterForm(FlaskForm):
    """The filters of the assignments report, read from the query string (GET, so no CSRF)."""

    class Meta:
        csrf = False

    department = SelectField("Department", validate_choice=False)
    module = SelectField("Module", validate_choice=False)
    program = SelectField("Program", validate_choice=False)
    status = SelectField("Status", choices=STATUS_CHOICES, default="")
    # A manager is found by what HR knows of them (lms.reports.rules): a list of every
    # manager ran to 9,000 choices at 100,000 people. `manager` is the id a link names
    # (a candidate below an ambiguous search, a bookmark); it is not shown.
    manager_q = StringField(
        "Manager's team",
        description="Name, email or employee number",
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "off", "placeholder": "Name, email or employee number"},
    )
    manager = StringField(
        "Manager's team",
        validators=[Optional(), an_id("Choose a manager by name, email or employee number.")],
    )
    due_from = date_field("Due from")
    due_to = date_field("Due until")
    expires_from = date_field("Expires from")
    expires_to = date_field("Expires until")
    as_of = date_field("Status as of")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # What `manager_in_scope` finds: the one manager meant, or the choices offered.
        self.manager_q.chosen, self.manager_q.candidates, self.manager_q.more = None, [], False

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for low, high in ((self.due_from, self.due_to), (self.expires_from, self.expires_to)):
            if low.data and high.data and low.data > high.data:
                high.errors = [*high.errors, f"must be on or after “{low.label.text}”."]
                ok = False
        return ok


def manager_in_scope(scope: Scope):
    """A validator: the manager filter's text names exactly one manager in `scope`.

    The one found is kept on the field (`chosen`); when the text names several, the first
    few are (`candidates`, `more`) for the page to offer as links. Empty text stops at
    the field's Optional() and never gets here.
    """

    def check(_form, field) -> None:
        query = parse_manager_query(field.data)
        matches = find_managers(scope, query)
        field.chosen = choose_manager(matches, query)
        if field.chosen is None:
            field.candidates, field.more = matches[:MANAGERS_SHOWN], len(matches) > MANAGERS_SHOWN
            raise ValidationError(manager_problem(query, len(matches)))

    return check


class AsOfForm(FlaskForm):
    class Meta:
        csrf = False

    as_of = date_field("Status as of")


class PeopleSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Name, email or employee id", validators=[Optional(), Length(max=200)])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = SelectField("Action", validate_choice=False)
    person = StringField(
        "Person (name, email or employee id)", validators=[Optional(), Length(max=200)]
    )


class ExemptionForm(FlaskForm):
    reason = TextAreaField(
        "Reason for the exemption",
        validators=[DataRequired(message=REASON_REQUIRED), Length(max=MAX_REASON)],
        render_kw={"rows": 2},
    )
    submit = SubmitField("Grant exemption")


class RemoveExemptionForm(FlaskForm):
    reason = StringField(
        "Reason for removing it",
        validators=[DataRequired(message=REASON_REQUIRED), Length(max=MAX_REASON)],
    )
    submit = SubmitField("Remove exemption")


class AttemptsForm(FlaskForm):
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
        "Reason", validators=[DataRequired(message=REASON_REQUIRED), Length(max=MAX_REASON)]
    )
    submit = SubmitField("Grant attempts")
