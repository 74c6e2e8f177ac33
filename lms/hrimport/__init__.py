"""HR's side of the CSV import: upload, preview, confirm; and (re)sending invitations."""

from flask import Blueprint

bp = Blueprint("hrimport", __name__, url_prefix="/hr/import")

from lms.hrimport import routes  # noqa: E402, F401
