"""Activation letters for people without a work email, and /activate where they use them."""

from flask import Blueprint

bp = Blueprint("activation", __name__)

from lms.activation import routes  # noqa: E402, F401
