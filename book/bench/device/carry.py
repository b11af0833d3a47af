"""What travels to the GPU machine: ``.carry/`` filled here (wheels for the machine's Python,
the benchmark's ``d2l`` wheel, the data), and installed and unpacked there, offline."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from book.package_index import sha256_of
from book.paths import REPO_DIR

REQUIREMENTS = REPO_DIR / "requirements" / "device.txt"
DEVICE_PYTHON = "3.12"
"""The Python of the GPU machine: the carried wheels are built for it."""

# The d2l version the book pins (d2l-zh 2.0's PyTorch edition): its train_ch3 and train_ch6
# have the book's signatures, so the benchmark compares the helpers the pages call.
BENCH_PACKAGES = ("d2l==0.17.6",)
CARRY_LIMIT_BYTES = 64 * 2**20
"""What travels to the GPU machine (working tree and carried folder together) stays under this."""

# pip matches platform tags exactly, so every manylinux tag up to glibc 2.28 is named: wheels
# tagged for a newer glibc might not install on the GPU machine.
PLATFORMS = (
    "manylinux1_x86_64", "manylinux2010_x86_64", "manylinux2014_x86_64",
    *(f"manylinux_2_{minor}_x86_64" for minor in range(5, 29)),
)
FASHION_MNIST_GZ = (
    "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
)
KAGGLE_CSV = ("kaggle_house_pred_train.csv", "kaggle_house_pred_test.csv")


class DeviceRunError(RuntimeError):
    """A step of the device run that cannot go on (names what is wrong and the fix)."""


def _pip_download(args: Sequence[str], python_version: str, dest: Path) -> None:
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
               "--only-binary=:all:", "--python-version", python_version,
               "--implementation", "cp", "--dest", str(dest)]
    for platform_tag in PLATFORMS:
        command += ["--platform", platform_tag]
    completed = subprocess.run(command + list(args), capture_output=True, text=True)
    if completed.returncode != 0:
        raise DeviceRunError(
            f"pip download for Python {python_version} failed:\n{completed.stderr[-3000:]}\n"
            "Check the package index setting of pip (pip config list) and the pins in "
            f"{REQUIREMENTS.relative_to(REPO_DIR)}.")


def carry_size(carry: Path) -> int:
    """Bytes of every file under ``carry``."""
    return sum(p.stat().st_size for p in carry.rglob("*") if p.is_file())


def prepare_carry(carry: Path, python_version: str = DEVICE_PYTHON,
                  data_root: Path | None = None, extra: Sequence[str] = ()) -> dict[str, Any]:
    """Fill ``carry`` with the wheels for ``python_version`` and the data; return its manifest.

    ``extra`` names packages installed (without dependencies) for the benchmark beside
    ``d2l`` on machines that lack them (the GPU machine has SciPy and requests; a CPU
    rehearsal may not). Data comes from ``data_root`` (default: ``D2LREF_DATA``).
    """
    from d2lref import config

    if not python_version.count(".") == 1 or not all(
            part.isdigit() for part in python_version.split(".")):
        raise ValueError(f"python_version must look like 3.12, got {python_version!r}.")
    source = config.data_root(data_root)
    raw = source / "FashionMNIST" / "raw"
    missing = [raw / name for name in FASHION_MNIST_GZ if not (raw / name).is_file()]
    missing += [source / "kaggle_house" / name for name in KAGGLE_CSV
                if not (source / "kaggle_house" / name).is_file()]
    if missing:
        raise DeviceRunError(
            "data to carry is missing: " + ", ".join(map(str, missing)) + ". Point D2LREF_DATA "
            "at the folder holding FashionMNIST/raw/*.gz and kaggle_house/*.csv.")
    if carry.exists():
        shutil.rmtree(carry)
    wheels, bench_wheels = carry / "wheels", carry / "bench-wheels"
    _pip_download(["--requirement", str(REQUIREMENTS)], python_version, wheels)
    _pip_download(["--no-deps", *BENCH_PACKAGES, *extra], python_version, bench_wheels)
    fashion = carry / "data" / "FashionMNIST" / "raw"
    kaggle = carry / "data" / "kaggle_house"
    fashion.mkdir(parents=True)
    kaggle.mkdir(parents=True)
    for name in FASHION_MNIST_GZ:
        shutil.copyfile(raw / name, fashion / name)
    for name in KAGGLE_CSV:
        shutil.copyfile(source / "kaggle_house" / name, kaggle / name)
    files: dict[str, dict[str, Any]] = {
        p.relative_to(carry).as_posix(): {"bytes": p.stat().st_size, "sha256": sha256_of(p)}
        for p in sorted(carry.rglob("*")) if p.is_file()}
    manifest = {
        "python": python_version,
        "platforms": list(PLATFORMS),
        "requirements": REQUIREMENTS.relative_to(REPO_DIR).as_posix(),
        "bench_packages": [*BENCH_PACKAGES, *extra],
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "bytes": sum(entry["bytes"] for entry in files.values()),
        "files": files,
    }
    (carry / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def _pip_env() -> dict[str, str]:
    # A bare machine's view: no pip configuration (index, find-links, constraints) applies.
    return dict(os.environ, PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1",
                PIP_NO_INPUT="1")


def _check_manifest(carry: Path) -> dict[str, Any]:
    manifest_file = carry / "manifest.json"
    if not manifest_file.is_file():
        raise DeviceRunError(f"{manifest_file} is missing: prepare the carried folder with "
                             "'make device-carry' and carry it along.")
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    if manifest["python"] != running:
        raise DeviceRunError(
            f"{carry} holds wheels for Python {manifest['python']}, this is Python {running}. "
            f"Prepare it for this Python: make device-carry DEVICE_PYTHON={running}")
    return manifest


def install_carried_wheels(carry: Path, target: Path, bench_target: Path | None = None) -> None:
    """Install the carried runner wheels into ``target`` (and d2l into ``bench_target``).

    Offline (``--no-index``) and resolved against the carried folder only: a wheel missing
    from it fails here, not halfway through a run.
    """
    _check_manifest(carry)
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-compile",
               "--find-links", str(carry / "wheels"), "--target", str(target),
               "--requirement", str(REQUIREMENTS)]
    completed = subprocess.run(command, capture_output=True, text=True, env=_pip_env())
    if completed.returncode != 0:
        raise DeviceRunError(f"installing the carried wheels failed:\n{completed.stderr[-3000:]}")
    if bench_target is not None:
        wheels = sorted(str(p) for p in (carry / "bench-wheels").glob("*.whl"))
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-index",
                   "--no-compile", "--no-deps", "--target", str(bench_target), *wheels]
        completed = subprocess.run(command, capture_output=True, text=True, env=_pip_env())
        if completed.returncode != 0:
            raise DeviceRunError(f"installing the benchmark's wheels failed:\n"
                                 f"{completed.stderr[-3000:]}")


def unpack_data(carry: Path, data_root: Path) -> None:
    """Decompress the carried Fashion-MNIST files and copy the CSVs into ``data_root``."""
    raw = data_root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name in FASHION_MNIST_GZ:
        with gzip.open(carry / "data" / "FashionMNIST" / "raw" / name) as packed, \
                (raw / name[: -len(".gz")]).open("wb") as unpacked:
            shutil.copyfileobj(packed, unpacked, 1 << 20)
    kaggle = data_root / "kaggle_house"
    kaggle.mkdir(parents=True, exist_ok=True)
    for name in KAGGLE_CSV:
        shutil.copyfile(carry / "data" / "kaggle_house" / name, kaggle / name)

