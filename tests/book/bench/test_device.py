"""The one prepared GPU call: its pieces, its estimate, and a CPU rehearsal of the whole run.

The rehearsal prepares the carried folder for the running Python exactly as ``make
device-carry`` does for the GPU machine's (pip downloads of the pinned wheels, a copy of the
data), then runs ``python -m book.bench device-run`` on it in quick mode: the wheels are
installed offline into a temporary folder, the data unpacked into a temporary root, two
snippets run through ``python -m book full-run`` and the benchmark runs against d2l 0.17.6,
the version the book pins.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import pytest

from book.bench.device.carry import (
    CARRY_LIMIT_BYTES,
    DEVICE_PYTHON,
    FASHION_MNIST_GZ,
    DeviceRunError,
    carry_size,
    install_carried_wheels,
    prepare_carry,
)
from book.bench.device.parts import Log, Part, failed_parts, format_summary, run_logged
from book.bench.device.run import (
    MODERN_CNN_PAGES,
    DeviceRunOptions,
    pack_stores,
    run_device,
    stale_snippets,
)
from book.bench.estimate import PAGE_MODELS, format_estimate, load_estimate, page_settings
from book.paths import REPO_DIR

REHEARSAL_PAGES = ("convolutional-neural-networks/lenet.py",
                   "deep-learning-computation/use-gpu.py")


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line)
        if match:
            pins[match[1].lower().replace("_", "-")] = match[2]
    return pins


def _tracked_bytes() -> int:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_DIR, capture_output=True,
                            check=True).stdout.decode().split("\0")
    return sum((REPO_DIR / name).stat().st_size for name in listed
               if name and (REPO_DIR / name).is_file())


def test_device_pins_agree_with_the_test_environment():
    device_pins = _pins(REPO_DIR / "requirements" / "device.txt")
    tested = {**_pins(REPO_DIR / "requirements" / "docs.txt"),
              **_pins(REPO_DIR / "requirements" / "ci.txt")}
    shared = set(device_pins) & set(tested)
    assert {"nbclient", "ipykernel", "jupytext", "nbformat", "matplotlib-inline"} <= shared
    assert {name: device_pins[name] for name in shared} == {name: tested[name] for name in shared}
    # Packages the GPU machine has and the runner must not shadow with other builds.
    assert not {"torch", "torchvision", "numpy", "matplotlib", "pandas"} & set(device_pins)


def test_page_settings_are_read_from_the_snippets():
    assert page_settings("convolutional-modern/alexnet.py") == {
        "num_epochs": 10, "batch_size": 128, "lr": 0.01, "resize": 224}
    assert page_settings("convolutional-modern/resnet.py") == {
        "num_epochs": 10, "batch_size": 256, "lr": 0.05, "resize": 96}


def test_page_settings_name_what_is_missing(tmp_path: Path):
    (tmp_path / "page.py").write_text("# %% train\nlr = 0.1\n")
    with pytest.raises(ValueError, match="batch_size, num_epochs"):
        page_settings("page.py", snippets_dir=tmp_path)


def test_the_stored_estimate_matches_the_pages_and_fits():
    estimate = load_estimate()
    rows = {row["page"]: row for row in estimate["pages"]}
    assert tuple(rows) == MODERN_CNN_PAGES == tuple(PAGE_MODELS)
    for page, row in rows.items():
        # Re-run `python -m book.bench estimate` when a page's settings change.
        settings = page_settings(page)
        assert {key: row[key] for key in settings} == settings, page
        assert row["seconds"] == pytest.approx(
            estimate["assumptions"]["fixed_seconds_per_page"] + row["other_cells_s"]
            + max(row["compute_s"], row["host_s"]), abs=0.2)
    # The eight-minute budget holds for the six pages and the benchmark together.
    total = sum(row["seconds"] for row in rows.values()) + estimate["benchmark"]["seconds"]
    assert estimate["total_s"] == pytest.approx(total, abs=0.2)
    assert estimate["fits"] and total <= 8 * 60
    table = format_estimate(estimate)
    for page in rows:
        assert Path(page).stem in table
    assert "fits in 8 min" in table


def test_a_failing_or_unrun_page_fails_the_run_and_skipped_snippets_do_not():
    parts = [Part("a.py", "page", status="ok"),
             Part("b.py", "snippet", status="skipped", detail="out of time"),
             Part("benchmark", "benchmark", status="ok")]
    assert failed_parts(parts) == []
    parts += [Part("c.py", "page", status="skipped", detail="setup failed"),
              Part("d.py", "snippet", status="timeout")]
    assert failed_parts(parts) == ["c.py", "d.py"]
    summary = format_summary(parts, 12.0)
    assert "FAILED: c.py, d.py" in summary and "out of time" in summary
    assert "pages: 1 ran in 0.0 min" in summary


def test_the_summary_names_pages_below_the_books_accuracy():
    low = Part("convolutional-modern/vgg.py", "page", status="ok", seconds=90.0,
                      detail="test acc 0.850 below the book's 0.92",
                      metrics={"test_acc": 0.85, "book_test_acc": 0.92})
    summary = format_summary([low], 100.0)
    assert "0.850" in summary and "0.92" in summary
    assert "below the book's test accuracy: convolutional-modern/vgg.py" in summary
    assert "pages: 1 ran in 1.5 min" in summary


def test_a_command_past_its_time_is_ended_with_its_children(tmp_path: Path):
    log = Log(tmp_path / "log.txt")
    child = "import subprocess, time; subprocess.Popen(['sleep', '60']); print('started', " \
            "flush=True); time.sleep(60)"
    env = dict(os.environ)
    start = time.monotonic()
    status, code = run_logged([sys.executable, "-c", child], env, log, timeout_s=3)
    assert (status, code) == ("timeout", None)
    assert time.monotonic() - start < 20
    status, code = run_logged([sys.executable, "-c", "raise SystemExit(3)"], env, log, 30)
    assert (status, code) == ("failed", 3)
    log.close()
    assert "started" in (tmp_path / "log.txt").read_text()


def test_stores_are_packed_with_their_relative_paths(tmp_path: Path):
    stores = tmp_path / "stores"
    (stores / "chapter").mkdir(parents=True)
    (stores / "chapter" / "page.outputs.json").write_text('{"runs": {}}\n')
    pack_stores(stores, tmp_path / "stores.tar.gz")
    with tarfile.open(tmp_path / "stores.tar.gz") as archive:
        assert archive.getnames() == ["chapter/page.outputs.json"]


def test_a_carry_for_another_python_is_refused_with_the_fix(tmp_path: Path):
    (tmp_path / "manifest.json").write_text(json.dumps({"python": "2.7"}))
    with pytest.raises(DeviceRunError, match="make device-carry DEVICE_PYTHON="):
        install_carried_wheels(tmp_path, tmp_path / "site")
    with pytest.raises(DeviceRunError, match="make device-carry"):
        install_carried_wheels(tmp_path / "absent", tmp_path / "site")


def test_the_repository_carry_fits_what_travels():
    carry = REPO_DIR / ".carry"
    if not (carry / "manifest.json").is_file():
        pytest.skip("no .carry/ prepared here (make device-carry)")
    assert carry_size(carry) + _tracked_bytes() < CARRY_LIMIT_BYTES


@pytest.fixture(scope="module")
def data_root_with_gz(data_root: Path) -> Path:
    raw = data_root / "FashionMNIST" / "raw"
    if not all((raw / name).is_file() for name in FASHION_MNIST_GZ):
        pytest.skip(f"the Fashion-MNIST .gz files are not in {raw}")
    return data_root


@pytest.mark.slow
def test_the_gpu_machine_carry_fits_what_travels(tmp_path: Path, data_root_with_gz: Path):
    manifest = prepare_carry(tmp_path / "carry", DEVICE_PYTHON, data_root_with_gz)
    wheels = [name for name in manifest["files"] if name.endswith(".whl")]
    tag = "cp" + DEVICE_PYTHON.replace(".", "")
    for name in wheels:
        # Pure Python, the stable ABI, or built for the GPU machine's Python.
        assert name.endswith("-none-any.whl") or "abi3" in name or f"-{tag}-" in name, name
    assert any(name.startswith("bench-wheels/d2l-0.17.6") for name in wheels)
    assert len([n for n in manifest["files"] if n.startswith("data/")]) == 6
    size = carry_size(tmp_path / "carry")
    assert size == manifest["bytes"] + (tmp_path / "carry" / "manifest.json").stat().st_size
    assert size + _tracked_bytes() < CARRY_LIMIT_BYTES


@pytest.mark.slow
def test_cpu_rehearsal_of_the_device_run(tmp_path: Path, data_root_with_gz: Path):
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    # The GPU machine has requests (which d2l imports); a CPU test machine may not.
    extra = [] if importlib.util.find_spec("requests") else ["requests"]
    carry, out, work = tmp_path / "carry", tmp_path / "out", tmp_path / "work"
    prepare_carry(carry, running, data_root_with_gz, extra)
    completed = subprocess.run(
        [sys.executable, "-m", "book.bench", "device-run", "--carry", str(carry),
         "--out", str(out), "--work", str(work), "--mode", "quick", "--no-rest",
         "--pages", *REHEARSAL_PAGES, "--bench-models", "mlp", "--layout-steps", "1",
         "--layout-batch", "2", "--budget", "900"],
        cwd=REPO_DIR, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]

    summary = json.loads((out / "summary.json").read_text())
    statuses = {part["name"]: part["status"] for part in summary["parts"]}
    assert statuses == {"install wheels and unpack data": "ok", REHEARSAL_PAGES[0]: "ok",
                        REHEARSAL_PAGES[1]: "ok", "benchmark mlp": "ok",
                        "memory layouts": "ok"}
    # The runner's packages came from the carried wheels, not from this environment.
    for name, location in summary["machine"]["runner_packages"].items():
        assert location.startswith(str(work / "site")), (name, location)
    assert summary["machine"]["kernel_spec"].startswith(str(work / "site"))
    assert summary["machine"]["python"].startswith(running + ".")
    lenet = next(p for p in summary["parts"] if p["name"] == REHEARSAL_PAGES[0])
    assert 0.0 <= lenet["metrics"]["test_acc"] <= 1.0

    with tarfile.open(out / "stores.tar.gz") as archive:
        names = sorted(archive.getnames())
        assert names == sorted(p.replace(".py", ".outputs.json") for p in REHEARSAL_PAGES)
        store = json.load(archive.extractfile(names[0]))
    assert set(store["runs"]) == {"quick"} and store["runs"]["quick"]["cells"]

    bench = json.loads((out / "bench-results.json").read_text())
    assert bench["versions"]["d2l"] == "0.17.6"
    assert set(bench["models"]["mlp"]["summary"]) == {"d2l", "d2lref"}
    layouts = json.loads((out / "layout.json").read_text())
    assert [row["page"] for row in layouts["pages"]] == list(MODERN_CNN_PAGES)
    assert all(row["channels_last_speedup"] > 0 for row in layouts["pages"])
    # The unpacked data is what the loaders check by MD5 and SHA-1.
    from d2lref.data.kaggle_house import load_kaggle_house

    train, _ = load_kaggle_house(root=work / "data")
    assert len(train) == 1460
    log = (out / "device-log.txt").read_text()
    assert "every part that ran succeeded" in log


def test_the_other_snippets_are_those_with_stale_or_missing_runs():
    env = dict(os.environ, PYTHONPATH=str(REPO_DIR))
    chosen = stale_snippets(env, "full", exclude=MODERN_CNN_PAGES)
    assert chosen == sorted(chosen)
    assert not set(chosen) & set(MODERN_CNN_PAGES)
    for relpath in chosen:
        assert (REPO_DIR / "snippets" / relpath).is_file()
    # A snippet left out has fresh full-mode outputs for every cell.
    from book.cli_status import snippet_status

    snippets = REPO_DIR / "snippets"
    for path in sorted(snippets.rglob("*.py")):
        relpath = path.relative_to(snippets).as_posix()
        if relpath not in chosen and relpath not in MODERN_CNN_PAGES:
            full = snippet_status(path, snippets, snippets)["full"]
            assert full["stale"] == full["missing"] == 0, relpath


def test_a_failed_setup_is_reported_and_the_temporary_folder_removed(tmp_path, monkeypatch):
    (tmp_path / "carry").mkdir()
    (tmp_path / "carry" / "manifest.json").write_text(json.dumps({"python": "2.7"}))
    work = tmp_path / "work"
    monkeypatch.setattr(tempfile, "mkdtemp", lambda prefix: str(work.mkdir() or work))
    options = DeviceRunOptions(
        out=tmp_path / "out", carry=tmp_path / "carry", mode="quick",
        pages=("convolutional-neural-networks/lenet.py",), rest=False, bench_models=(),
        layout_steps=0)
    assert run_device(options) == 1
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert [(p["name"], p["status"]) for p in summary["parts"]] == [
        ("install wheels and unpack data", "failed"),
        ("convolutional-neural-networks/lenet.py", "skipped")]
    assert "Python 2.7" in summary["parts"][0]["detail"]
    assert not work.exists()


def test_the_other_snippets_run_as_shards_of_full_run(tmp_path, monkeypatch):
    """The rest of a device run: one selection, two shards at once, one part per snippet."""
    import book.bench.device.run as device_run

    rest = ["convolutional-neural-networks/pooling.py", "deep-learning-computation/read-write.py"]
    monkeypatch.setattr(device_run, "stale_snippets", lambda env, mode, exclude: rest)
    options = DeviceRunOptions(out=tmp_path / "out", mode="quick", pages=(), rest=True,
                               bench_models=(), layout_steps=0, budget_s=600, jobs=2,
                               work=tmp_path / "work")
    run = device_run.DeviceRun(options)
    run.setup.status = "ok"
    run.env = dict(os.environ, PYTHONPATH=str(REPO_DIR), MPLBACKEND="Agg")
    run.data_root = Path(os.environ.get("D2LREF_DATA", tmp_path / "data"))
    run.run_rest()
    assert sorted((part.name, part.status) for part in run.parts) == [(rel, "ok") for rel in rest]
    assert all(part.seconds > 0 for part in run.parts)
    with tarfile.open(tmp_path / "out" / "stores.tar.gz") as archive:
        assert sorted(archive.getnames()) == sorted(
            rel.replace(".py", ".outputs.json") for rel in rest)
    log = (tmp_path / "out" / "device-log.txt").read_text()
    assert "2 other snippets with stale or missing quick runs, in 2 shards at once" in log
    assert "shard 1/2: 1 snippets" in log and "shard 2/2: 1 snippets" in log
