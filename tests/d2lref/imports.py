"""Which d2lref modules a piece of code imports, seen from a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.paths import REPO_DIR


def imported_after(code: str) -> list[str]:
    """The d2lref modules a fresh interpreter has imported after running ``code``."""
    probe = (f"{code}\nimport json, sys\n"
             "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'd2lref')))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=REPO_DIR, check=True)
    return json.loads(done.stdout.splitlines()[-1])
