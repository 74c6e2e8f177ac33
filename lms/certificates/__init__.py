"""Certificates: codes, status rules, rendering and the issue/revoke operations.

The web views live in `lms.certificates.routes` (downloads, HR revoke) and
`lms.verify` (the public verify pages); nothing here imports Flask but them.
"""
