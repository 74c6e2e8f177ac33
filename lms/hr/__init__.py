"""HR and managers: compliance dashboard, reports, transcripts, exemptions and the audit trail."""

from flask import Blueprint

bp = Blueprint("hr", __name__, url_prefix="/hr")

from lms.hr import attempt_requests, context, item_analysis, routes  # noqa: E402, F401
