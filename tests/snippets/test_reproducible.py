"""Two runs of the same code store the same outputs, except wall-clock measurements."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from book.outputs import MASK, mask_measurements
from book.runner import RunOptions, run_snippets
from book.store.files import read_store, store_path

REPO_DIR = Path(__file__).resolve().parents[2]
SNIPPETS_DIR = REPO_DIR / "snippets"
# A small page that prints timings (".item()" against ".tolist()") among its outputs.
SNIPPET = "deep-learning-computation/use-gpu.py"


def masked_outputs(store: Path) -> dict[str, list]:
    cells = read_store(store_path(store, SNIPPET))["runs"]["quick"]["cells"]
    return {name: mask_measurements(record["outputs"]) for name, record in cells.items()}


@pytest.mark.slow
def test_a_snippet_run_twice_differs_only_in_measurements(tmp_path: Path):
    if not os.environ.get("D2LREF_DATA"):
        pytest.fail("D2LREF_DATA is not set: point it at the data root (see README.md)")
    stores = [tmp_path / "first", tmp_path / "second"]
    for store in stores:
        run_snippets([SNIPPETS_DIR / SNIPPET], SNIPPETS_DIR,
                     RunOptions(mode="quick", store_dir=store), log=lambda _: None)
    first, second = (masked_outputs(store) for store in stores)
    assert first == second
    # The timings were there, and were masked.
    assert MASK in str(first["item-cost"])
