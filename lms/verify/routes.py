from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from lms.certificates.codes import NO_SUCH, NOT_A_CODE, normalise_code
from lms.certificates.operations import find_certificate, verification, verify_url
from lms.extensions import limiter
from lms.models.base import utctoday
from lms.verify.forms import VerifyForm

bp = Blueprint("verify", __name__)


def verify_limit() -> str:
    return current_app.config.get("LMS_VERIFY_RATE_LIMIT", "30 per minute")


# Codes are 80 random bits, so guessing is hopeless; the limit keeps anyone from trying.
# One budget per address for every verify page (HTML, JSON, form).
limiter.shared_limit(verify_limit, scope="verify")(bp)


@bp.route("/verify")
def form():
    """Show the verify form, and send a typed code to its certificate's page."""
    form = VerifyForm(request.args)
    if "code" not in request.args:
        return render_template("verify/form.html", form=VerifyForm(formdata=None))
    if form.validate():
        code = normalise_code(form.code.data)
        if code is not None:
            return redirect(url_for("verify.show", code=code))
        form.code.errors.append(NOT_A_CODE)
    return render_template("verify/form.html", form=form), 400


@bp.route("/verify/<code>")
def show(code):
    """Show a certificate's status and facts to anyone holding its code."""
    canonical = normalise_code(code)
    if canonical is None:
        return render_template("verify/show.html", v=None, message=NOT_A_CODE), 404
    if canonical != code:
        return redirect(url_for("verify.show", code=canonical), 301)
    record = find_certificate(canonical)
    if record is None:
        return render_template("verify/show.html", v=None, message=NO_SUCH), 404
    v = verification(record, utctoday(), verify_url(current_app.config["LMS_BASE_URL"], canonical))
    return render_template("verify/show.html", v=v, message=None)


@bp.route("/verify/<code>.json")
def show_json(code):
    """Return a certificate's status and facts as JSON."""
    canonical = normalise_code(code)
    record = find_certificate(canonical) if canonical else None
    if record is None:
        detail = NO_SUCH if canonical else NOT_A_CODE
        return jsonify(error="not_found", detail=detail), 404
    url = verify_url(current_app.config["LMS_BASE_URL"], canonical)
    return jsonify(verification(record, utctoday(), url).to_json())


@bp.errorhandler(429)
def too_many(exc):
    """Say how to proceed when someone verifies too often; JSON for the JSON endpoint."""
    detail = "Too many verification requests; please wait a minute and try again."
    if request.path.endswith(".json"):
        return jsonify(error="rate_limited", detail=detail), 429
    return render_template("verify/show.html", v=None, message=detail), 429
