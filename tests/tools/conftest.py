"""Tests of the ./kk tooling; they run on the python that runs ./kk (stdlib + pytest)."""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
