"""Renewal on schedule: the `renew` job, retraining on a raised version, training emails."""
