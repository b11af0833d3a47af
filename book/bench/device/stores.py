"""The outputs a device run brings back: its stores packed into one archive (also while
shards run), and the training metrics a page's stored run published."""

from __future__ import annotations

import io
import json
import os
import tarfile
import threading
from pathlib import Path
from typing import Any


class PeriodicPacking:
    """Packs the stores every ``period_s`` seconds while shards run, so that a run stopped
    from outside (the machine's time is up) still leaves the outputs stored so far."""

    def __init__(self, stores: Path, target: Path, period_s: float = 30.0) -> None:
        self.stores, self.target, self.period_s = stores, target, period_s
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self.stop.wait(self.period_s):
            pack_stores(self.stores, self.target)

    def __enter__(self) -> PeriodicPacking:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def train_metrics(store_file: Path, mode: str) -> dict[str, Any]:
    """The last training metrics a snippet's run published (test accuracy, speed)."""
    if not store_file.is_file():
        return {}
    run = json.loads(store_file.read_text(encoding="utf-8"))["runs"].get(mode) or {}
    found: dict[str, Any] = {"device_name": run.get("device_name"), "run_s": run.get("duration_s")}
    for cell in (run.get("cells") or {}).values():
        for output in cell.get("outputs", []):
            if output.get("type") == "metrics":
                data = output["data"]
                found.update({key: data.get(key) for key in
                              ("test_acc", "train_acc", "train_loss", "examples_per_sec",
                               "num_epochs", "device")})
    return found


def pack_stores(stores: Path, target: Path) -> None:
    """Write every store file under ``stores`` into ``target`` (a .tar.gz), atomically."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(stores.rglob("*.outputs.json")):
            archive.add(path, arcname=path.relative_to(stores).as_posix())
    partial = target.with_suffix(".partial")
    partial.write_bytes(buffer.getvalue())
    os.replace(partial, target)
