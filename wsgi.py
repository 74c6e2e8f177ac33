"""The WSGI entry point: `gunicorn wsgi:app` (and the app `flask ...` finds)."""

import sys
from pathlib import Path

from lms import MissingSecretKey, create_app

try:
    app = create_app()
except MissingSecretKey as exc:
    if Path(sys.argv[0]).name != "flask":
        raise
    # `flask lms ...` in a shell without settings: one line saying what to do, no traceback.
    sys.exit(f"Attest: {exc}; `make run` sets it for the demo.")
