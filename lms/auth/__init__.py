from flask import Blueprint

bp = Blueprint("auth", __name__)

from lms.auth import account, password, routes  # noqa: E402, F401
