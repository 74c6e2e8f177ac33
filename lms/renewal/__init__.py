"""Renewal on schedule: the `renew` job, retraining on a raised version, training emails."""

from lms.renewal.job import RenewReport, renew
from lms.renewal.notices import queue_resolved_note
from lms.renewal.retraining import apply_retraining

__all__ = ["RenewReport", "apply_retraining", "queue_resolved_note", "renew"]
