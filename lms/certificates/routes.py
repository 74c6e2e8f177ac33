"""Certificate pages for the people allowed to see them: holder, their managers, HR.

Someone else's certificate is a 404 here, never a hint that it exists; the
public facts are on the verify pages (`lms.verify`).
"""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user, login_required

from lms.certificates.codes import format_code, normalise_code
from lms.certificates.forms import RevokeForm
from lms.certificates.operations import (
    CertificateError,
    CertificateRecord,
    certificate_pdf,
    find_certificate,
    find_stored_pdf,
    revoke_certificate,
    rights_of,
    verification,
    verify_url,
)
from lms.extensions import db
from lms.models.base import utctoday

bp = Blueprint("certificates", __name__)


def visible_certificate(code: str) -> tuple[CertificateRecord, bool]:
    """Return the certificate and whether the current user may download it; 404 if not theirs."""
    canonical = normalise_code(code)
    record = find_certificate(canonical) if canonical else None
    if record is None:
        abort(404)
    certificate = record.certificate
    may_see, may_download = rights_of(current_user, certificate.user_id, certificate.is_revoked)
    if not may_see:
        abort(404)
    return record, may_download


def render_page(record: CertificateRecord, may_download: bool, form: RevokeForm, status=200):
    code = record.certificate.code
    v = verification(record, utctoday(), verify_url(current_app.config["LMS_BASE_URL"], code))
    return render_template(
        "certificates/show.html", record=record, v=v, form=form, can_download=may_download
    ), status


@bp.route("/certificates/<code>")
@login_required
def show(code):
    """Show a certificate with its status, download link and, for HR, the revoke form."""
    return render_page(*visible_certificate(code), RevokeForm())


@bp.route("/certificates/<code>.pdf")
@login_required
def download(code):
    """Send the certificate's PDF, rendering and storing it on the first download.

    A repeated download is one query: the stored bytes and what the access rule needs.
    """
    canonical = normalise_code(code)
    stored = find_stored_pdf(canonical) if canonical else None
    if stored is None or not rights_of(current_user, stored.holder_id, stored.is_revoked)[1]:
        abort(404)
    pdf = stored.pdf
    if pdf is None:
        record = find_certificate(canonical, with_pdf=True)
        pdf, rendered = certificate_pdf(
            record,
            current_app.config["LMS_ORG_NAME"],
            verify_url(current_app.config["LMS_BASE_URL"], canonical),
        )
        if rendered:
            db.session.commit()
    response = Response(pdf, mimetype="application/pdf")
    name = f"certificate-{stored.module_slug}-{format_code(canonical)}.pdf"
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/certificates/<code>/revoke", methods=["POST"])
@login_required
def revoke(code):
    """Revoke a certificate with a reason (HR only)."""
    record, may_download = visible_certificate(code)
    if not current_user.is_hr:
        abort(404)
    form = RevokeForm()
    if not form.validate_on_submit():
        return render_page(record, may_download, form, 400)
    try:
        revoke_certificate(record.certificate, current_user, form.reason.data)
    except CertificateError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return render_page(*visible_certificate(code), form, 409)
    db.session.commit()
    flash(f"Certificate {format_code(record.certificate.code)} is revoked.", "success")
    return redirect(url_for("certificates.show", code=record.certificate.code))
