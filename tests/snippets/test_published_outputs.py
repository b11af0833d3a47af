"""The outputs stored in the repository are fresh, and full-mode where a CPU can afford it.

Chapters 1–6 and the batch-normalisation page train small models on Fashion-MNIST at the
book's settings in minutes on a CPU, so their published outputs must come from full runs.
The large modern CNNs (AlexNet at 224×224, ResNet-18, ...) may show labelled quick-mode
outputs until the GPU workflow's full run replaces them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from book.cells import find_snippets, load_snippet
from book.outputs import unstable_output
from book.store.files import read_store, store_path
from book.store.publishing import published_outputs
from tests.paths import SNIPPETS_DIR

SNIPPETS = find_snippets(SNIPPETS_DIR)
# Pages whose training needs a GPU at the book's settings.
QUICK_ALLOWED = {
    "convolutional-modern/alexnet.py",
    "convolutional-modern/vgg.py",
    "convolutional-modern/nin.py",
    "convolutional-modern/googlenet.py",
    "convolutional-modern/resnet.py",
    "convolutional-modern/densenet.py",
}


def rel(path: Path) -> str:
    return path.relative_to(SNIPPETS_DIR).as_posix()


@pytest.mark.parametrize("snippet_file", SNIPPETS, ids=[rel(p) for p in SNIPPETS])
def test_every_cell_has_fresh_published_output(snippet_file: Path):
    snippet = load_snippet(snippet_file, SNIPPETS_DIR)
    outputs = published_outputs(snippet, store_path(SNIPPETS_DIR, snippet.relpath))
    bad = {name: o.status for name, o in outputs.items() if o.status != "ok"}
    assert not bad, (
        f"stale or missing outputs {bad}: run "
        f"'python -m book run snippets/{snippet.relpath} --mode full' and commit them"
    )
    if snippet.relpath not in QUICK_ALLOWED:
        quick = [name for name, o in outputs.items() if o.mode != "full"]
        assert not quick, f"cells {quick} only have quick-mode outputs; this page runs in full"


@pytest.mark.parametrize("snippet_file", SNIPPETS, ids=[rel(p) for p in SNIPPETS])
def test_stored_outputs_hold_no_memory_addresses(snippet_file: Path):
    """Outputs are reproducible: no '<... at 0x7f...>' or '<Axes: >' that changes every run."""
    runs = read_store(store_path(SNIPPETS_DIR, rel(snippet_file)))["runs"]
    found = {
        f"{mode}/{name}": text
        for mode, run in runs.items()
        for name, record in run["cells"].items()
        if (text := unstable_output(record["outputs"])) is not None
    }
    assert not found, (
        f"outputs that change on every run: {found}. Assign the value in the snippet (e.g. "
        "'_ = torch.manual_seed(0)') and re-run it."
    )
