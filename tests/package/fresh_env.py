"""Helpers of the package tests: build the sdist and wheel, and make fresh environments.

A fresh environment here is a new virtual environment that sees neither the repository nor
the project's environment. Installing PyTorch into each one would cost about a minute and
5.5 GB, so it borrows the already installed distributions it needs instead: exactly the
dependency closure of what the test asks for (the wheel's own requirements, read from the
wheel, plus e.g. the kernel packages), each linked from the project's environment into one
folder that a ``.pth`` file puts on the new environment's path. Nothing else is there: not
d2lref, not the book tooling's packages, and a ``.pth`` line only adds its folder, so the
project environment's editable install of d2lref is not carried along. A package the wheel
imports but does not declare therefore fails here, as it would on a reader's machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from email.parser import Parser
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.paths import REPO_DIR


@dataclass(frozen=True)
class Dists:
    """The files ``python -m build`` made: one sdist and one wheel, in ``folder``."""

    folder: Path
    sdist: Path
    wheel: Path


def build_dists(out_dir: Path) -> Dists:
    """``python -m build`` of the repository: the sdist, then the wheel built from it.

    ``--no-isolation`` builds with the setuptools already installed instead of fetching one:
    the tests install nothing from the network.
    """
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out_dir), str(REPO_DIR)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return find_dists(out_dir)


def find_dists(out_dir: Path) -> Dists:
    """The sdist and the wheel in ``out_dir``: exactly one of each."""
    sdists = sorted(out_dir.glob("d2lref-*.tar.gz"))
    wheels = sorted(out_dir.glob("d2lref-*-py3-none-any.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, sorted(p.name for p in out_dir.iterdir())
    return Dists(out_dir, sdists[0], wheels[0])


def wheel_metadata(wheel: Path) -> dict[str, list[str]]:
    """The wheel's METADATA fields, each as the list of its values."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        message = Parser().parsestr(archive.read(name).decode("utf-8"))
    fields: dict[str, list[str]] = {}
    for key, value in message.items():
        fields.setdefault(key, []).append(value)
    return fields


def base_requirements(wheel: Path) -> list[str]:
    """What ``pip install <wheel>`` installs with it: requirements without an extra."""
    requirements = wheel_metadata(wheel).get("Requires-Dist", [])
    return [r for r in requirements if "extra ==" not in r]


def dependency_closure(requirements: Iterable[str]) -> set[str]:
    """Canonical names of the installed distributions ``requirements`` need, transitively."""
    todo = [Requirement(r) for r in requirements]
    seen: set[tuple[str, frozenset[str]]] = set()
    names: set[str] = set()
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        names.add(name)
        extras = requirement.extras or {""}
        for text in metadata.distribution(name).requires or []:
            needed = Requirement(text)
            if needed.marker is None or any(
                needed.marker.evaluate({"extra": extra}) for extra in extras
            ):
                todo.append(needed)
    return names


def link_distributions(names: Iterable[str], view: Path) -> None:
    """Link each distribution's top-level files and folders from its site dir into ``view``."""
    view.mkdir(parents=True, exist_ok=True)
    for name in sorted(names):
        dist = metadata.distribution(name)
        if dist.files is None:
            raise RuntimeError(f"{name} has no RECORD: cannot tell which files are its own")
        site_dir = Path(dist.locate_file(""))
        tops = {f.parts[0] for f in dist.files if f.parts and f.parts[0] != ".."}
        for top in sorted(tops):
            if top == "__pycache__" or top.endswith(".pth"):
                continue
            link = view / top
            if not link.exists():
                link.symlink_to(site_dir / top)


@dataclass(frozen=True)
class FreshEnv:
    """A new virtual environment; ``python`` is its interpreter, ``env`` a clean environ."""

    root: Path
    python: Path
    env: dict[str, str]

    def run(self, *args: str, cwd: Path, timeout: float = 600,
            extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """Run the environment's Python with ``args`` in ``cwd``."""
        return subprocess.run(
            [str(self.python), *args], cwd=cwd, env={**self.env, **(extra_env or {})},
            capture_output=True, text=True, timeout=timeout,
        )


def clean_environ(dist_folder: Path) -> dict[str, str]:
    """os.environ without what would point Python or pip back at the repository or network.

    pip reads no configuration file and finds packages only in ``dist_folder``.
    """
    dropped = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("PIP_")}
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(dist_folder),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PYTHONNOUSERSITE="1",
        MPLBACKEND="Agg",
    )
    return env


def make_fresh_env(root: Path, requirements: Iterable[str], dist_folder: Path) -> FreshEnv:
    """A virtual environment at ``root`` that sees only ``requirements``' closure (and pip)."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=120
    )
    python = root / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    env = clean_environ(dist_folder)
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True, env=env,
    ).stdout.strip()
    view = root / "borrowed-packages"
    link_distributions(dependency_closure([*requirements, "pip"]), view)
    Path(purelib, "borrowed-packages.pth").write_text(f"{view}\n", encoding="utf-8")
    return FreshEnv(root, python, env)
