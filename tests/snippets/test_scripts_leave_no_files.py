"""Snippets run as scripts (as README shows) leave nothing behind in the current directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import REPO_DIR

# The pages that save files: tensors and parameters, a Kaggle submission.
WRITERS = [
    "deep-learning-computation/read-write.py",
    "multilayer-perceptrons/kaggle-house-price.py",
]


@pytest.mark.slow
@pytest.mark.parametrize("snippet", WRITERS)
def test_a_snippet_run_as_a_script_writes_nothing_into_the_current_directory(
    snippet: str, tmp_path: Path, real_data: Path
):
    env = dict(os.environ, D2LREF_MODE="quick", MPLBACKEND="Agg", PYTHONPATH=str(REPO_DIR),
               D2LREF_DATA=str(real_data))
    result = subprocess.run([sys.executable, str(REPO_DIR / "snippets" / snippet)], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    # d2lref-figures/ (figures saved outside Jupyter) is git-ignored in the checkout.
    left = sorted(p.name for p in tmp_path.iterdir() if p.name != "d2lref-figures")
    assert left == []
