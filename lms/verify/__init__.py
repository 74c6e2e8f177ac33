"""The public verify pages: anyone holding a certificate code can check it, no login needed."""

from flask import Blueprint

bp = Blueprint("verify", __name__)

from lms.verify import routes  # noqa: E402, F401
