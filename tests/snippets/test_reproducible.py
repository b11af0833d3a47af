"""Two runs of the same code store the same outputs, except wall-clock measurements."""

from __future__ import annotations

from pathlib import Path

import pytest

from book.outputs import MASK, mask_measurements
from book.runner import RunOptions, run_snippets
from book.store.files import read_store, store_path
from tests.paths import SNIPPETS_DIR

# A small page that prints timings (".item()" against ".tolist()") among its outputs.
SNIPPET = "deep-learning-computation/use-gpu.py"


def masked_outputs(store: Path) -> dict[str, list]:
    cells = read_store(store_path(store, SNIPPET))["runs"]["quick"]["cells"]
    return {name: mask_measurements(record["outputs"]) for name, record in cells.items()}


@pytest.mark.slow
def test_a_snippet_run_twice_differs_only_in_measurements(tmp_path: Path, real_data: Path):
    stores = [tmp_path / "first", tmp_path / "second"]
    for store in stores:
        options = RunOptions(mode="quick", data_root=str(real_data), store_dir=store)
        run_snippets([SNIPPETS_DIR / SNIPPET], SNIPPETS_DIR, options, log=lambda _: None)
    first, second = (masked_outputs(store) for store in stores)
    assert first == second
    # The timings were there, and were masked.
    assert MASK in str(first["item-cost"])
