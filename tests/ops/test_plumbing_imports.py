"""Plumbing sits below the features: importing it loads no feature package.

The database layer (lms.database), the web layer's speed-ups (lms.web) and running in
production (lms.ops) may use the extensions and the models, nothing above them. Until
session 14 the page cache imported lms.hr.access (for the HR link's label), and with
it the whole HR package; lms.hr now adds that label to the page cache's key itself
(lms.web.pagecache.vary_on).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLUMBING = ("lms.database", "lms.web", "lms.ops")
BELOW = {"lms", "lms.extensions", "lms.models", *PLUMBING}

# In a fresh interpreter, so what other tests imported does not hide an import.
SCRIPT = """
import importlib, json, pkgutil, sys
for package in {plumbing!r}:
    for module in pkgutil.walk_packages(importlib.import_module(package).__path__, package + "."):
        importlib.import_module(module.name)
print(json.dumps(sorted(name for name in sys.modules if name.startswith("lms"))))
"""


def test_importing_the_plumbing_loads_no_feature_package():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(plumbing=PLUMBING)],
        cwd=ROOT,
        env=os.environ | {"LMS_ENV": "testing"},
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = json.loads(result.stdout)
    assert "lms.web.pagecache" in loaded and "lms.database.driver_query" in loaded
    above = sorted({".".join(name.split(".")[:2]) for name in loaded} - BELOW)
    assert above == [], f"plumbing imports a feature: {above}"
