"""Shared devices: signing a person out after LMS_IDLE_SIGNOUT_MINUTES without activity.

The rule is in rules.py; the server enforces it on every signed-in request
(lms.auth.signing_in.load_user calls operations.keep_if_active), and the page counts down
and signs out first (static/idle.js, laid out by templates/idle/_bar.html).
"""
