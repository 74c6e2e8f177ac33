"""Item analysis pages for HR: how each quiz question of a module revision performs."""

from __future__ import annotations

from flask import abort, render_template, request

from lms.analysis.queries import CSV_COLUMNS, csv_rows, quiz_versions, version_analysis
from lms.analysis.rules import MIN_DRAWN, TOO_EASY, TOO_HARD
from lms.hr import bp
from lms.hr.access import require_hr
from lms.hr.exports import csv_response
from lms.reports import Page

PER_PAGE = 20


@bp.route("/item-analysis")
def item_analysis():
    """List every module revision with a quiz, linking to its item analysis."""
    require_hr()
    return render_template("hr/item_analysis.html", versions=quiz_versions())


@bp.route("/item-analysis/<int:version_id>")
def item_analysis_version(version_id):
    """Show one module revision's questions with their figures and flags, a page at a time."""
    require_hr()
    analysis = version_analysis(version_id)
    if analysis is None:
        abort(404)
    flagged_only = request.args.get("flagged") == "1"
    rows = analysis.flagged if flagged_only else analysis.questions
    page_number = max(1, request.args.get("page", 1, type=int))
    start = (page_number - 1) * PER_PAGE
    page = Page(
        rows=rows[start : start + PER_PAGE], total=len(rows), page=page_number, per_page=PER_PAGE
    )
    return render_template(
        "hr/item_analysis_version.html",
        analysis=analysis,
        page=page,
        flagged_only=flagged_only,
        min_drawn=MIN_DRAWN,
        too_easy=TOO_EASY,
        too_hard=TOO_HARD,
    )


@bp.route("/item-analysis/<int:version_id>.csv")
def item_analysis_csv(version_id):
    """Download one module revision's item analysis as CSV, a row per choice."""
    require_hr()
    analysis = version_analysis(version_id)
    if analysis is None:
        abort(404)
    name = f"item-analysis-{analysis.slug}-v{analysis.version.version}-r{analysis.version.revision}.csv"
    return csv_response(name, CSV_COLUMNS, csv_rows(analysis))
