"""Which outputs carry the quick label, and the page note that says exactly what ran.

d2lref reports what quick mode changed in each cell (a data subset, fewer epochs, a
shortened training run); the runner stores it with the cell (``quick_changes``). Only the
outputs quick mode changed are labelled, and the page note is built from those reports,
so it states what ran (e.g. "2 optimizer steps on 128 training examples (2 of 10 epochs),
tested on 64 of 10000 test examples") and never goes out of date when the settings change.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from book.store.publishing import CellOutput


def changed_by_quick_mode(output: CellOutput) -> bool:
    """Whether ``output`` is a quick-mode output the mode changed.

    A record without ``quick_changes`` was written before the runner recorded them: it is
    labelled, as every quick output used to be.
    """
    if output.status != "ok" or output.mode != "quick" or output.drift:
        return False
    changes = (output.record or {}).get("quick_changes")
    return changes is None or bool(changes)


def _distinct(notes: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for note in notes:
        if note not in found:
            found.append(note)
    return found


def quick_run_facts(outputs: Iterable[CellOutput], labels: dict[str, str]) -> str:
    """What the page's quick outputs ran, in the page's language (or the generic words)."""
    notes = _distinct(note for output in outputs if changed_by_quick_mode(output)
                      for note in (output.record or {}).get("quick_changes") or [])
    trains = [n for n in notes if n.get("kind") == "train"]
    tests = [n for n in notes if n.get("kind") == "subset" and n.get("split") == "test"]
    facts = []
    for train in trains:
        template = "quick_facts_steps" if train.get("steps") and train.get("examples") else \
            "quick_facts_epochs"
        facts.append(labels[template].format(**train))
    if not trains:
        facts += [labels["quick_facts_epochs"].format(epochs=n["ran"], requested=n["requested"])
                  for n in notes if n.get("kind") == "epochs"]
        facts += [labels["quick_facts_subset"].format(**n)
                  for n in notes if n.get("kind") == "subset" and n.get("split") == "train"]
    facts += [labels["quick_facts_test"].format(**n) for n in tests]
    return labels["quick_facts_join"].join(facts) if facts else labels["quick_facts_default"]
