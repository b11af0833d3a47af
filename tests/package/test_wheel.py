"""The package as readers get it: sdist and wheel build, pass twine, and run outside the repo."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import d2lref
from tests.package.fresh_env import (
    REPO_DIR,
    Dists,
    base_requirements,
    dependency_closure,
    make_fresh_env,
    wheel_metadata,
)

# What the facade imports at run time, and so what a base install must bring.
RUNTIME_PACKAGES = {"torch", "torchvision", "numpy", "pandas", "matplotlib", "tqdm"}


def _pyproject() -> dict:
    return tomllib.loads((REPO_DIR / "pyproject.toml").read_text(encoding="utf-8"))


def _pinned(requirements_file: Path) -> list[str]:
    """The requirements a pinned file lists, following its ``-r`` includes."""
    found: list[str] = []
    for line in requirements_file.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found += _pinned(requirements_file.parent / line[3:].strip())
        elif line:
            found.append(line)
    return found


def _tooling_only_distributions() -> set[str]:
    """Distributions the book's environment (requirements/ci.txt) has and d2lref's runtime
    dependencies do not bring."""
    runtime = _pyproject()["project"]["dependencies"]
    return dependency_closure(_pinned(REPO_DIR / "requirements" / "ci.txt")) - (
        dependency_closure(runtime)
    )


def test_the_published_metadata_is_the_reader_library_only():
    """Readers' install brings the runtime packages: no extras, no console scripts."""
    project = _pyproject()["project"]
    base = {canonicalize_name(Requirement(r).name) for r in project["dependencies"]}
    assert base == RUNTIME_PACKAGES
    assert "optional-dependencies" not in project
    assert "scripts" not in project and "entry-points" not in project


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_module_of_d2lref_imports_the_book_package():
    offenders = {
        path.relative_to(REPO_DIR).as_posix(): sorted(
            name for name in _imported_modules(path) if name.split(".")[0] == "book"
        )
        for path in sorted((REPO_DIR / "d2lref").rglob("*.py"))
    }
    offenders = {path: names for path, names in offenders.items() if names}
    assert offenders == {}, f"d2lref must not import the book's machinery: {offenders}"


# Run in a fresh interpreter: records, for every module of the ``forbidden`` packages that gets
# imported, the file whose import statement asked for it (the first frame outside importlib).
FACADE_PROBE = """
import json, sys
forbidden = set(json.loads(sys.argv[1]))
importers = {}

class Recorder:
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top in forbidden and name not in importers:
            frame = sys._getframe(1)
            while frame and "importlib" in frame.f_code.co_filename:
                frame = frame.f_back
            importers[name] = frame.f_code.co_filename if frame else "?"
        return None  # never changes what gets imported

sys.meta_path.insert(0, Recorder())
from d2lref import torch as d2l
loaded = sorted({m.split(".")[0] for m in sys.modules} & forbidden)
print(json.dumps({"importers": importers, "loaded": loaded}))
"""


def test_the_facade_imports_none_of_the_tooling_packages():
    tooling_only = _tooling_only_distributions()
    top_levels = metadata.packages_distributions()
    forbidden = {
        module for module, dists in top_levels.items()
        if any(canonicalize_name(d) in tooling_only for d in dists)
    }
    # The check can fail: the book tooling's own imports are among the forbidden modules.
    assert {"jupytext", "nbclient", "nbformat", "ipykernel", "IPython", "mkdocs"} <= forbidden
    result = subprocess.run(
        [sys.executable, "-c", FACADE_PROBE, json.dumps(sorted(forbidden))],
        capture_output=True, text=True, timeout=300, cwd=REPO_DIR,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    package_dir = Path(d2lref.__file__).resolve().parent
    from_d2lref = {
        name: path for name, path in report["importers"].items()
        if Path(path).resolve().is_relative_to(package_dir)
    }
    assert from_d2lref == {}, f"the facade imports the tooling's packages: {from_d2lref}"
    # What is in sys.modules at all came from PyTorch's or torchvision's optional imports
    # (colorama, defusedxml where installed), never from d2lref; the fresh-environment test
    # below proves the facade imports without any of them.
    for name in report["loaded"]:
        importer = report["importers"][name]
        assert "site-packages" in importer and "d2lref" not in importer, (name, importer)


@pytest.mark.slow
def test_sdist_and_wheel_pass_twine_check(dists: Dists):
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(dists.sdist), str(dists.wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2


@pytest.mark.slow
def test_wheel_holds_d2lref_and_nothing_else(dists: Dists):
    assert dists.wheel.name == f"d2lref-{d2lref.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(dists.wheel) as archive:
        names = set(archive.namelist())
    dist_info = f"d2lref-{d2lref.__version__}.dist-info/"
    outside = sorted(n for n in names if not n.startswith(("d2lref/", dist_info)))
    assert outside == [], f"the wheel holds files outside d2lref/: {outside}"
    sources = {p.relative_to(REPO_DIR).as_posix() for p in (REPO_DIR / "d2lref").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    package_files = {n for n in names if n.startswith("d2lref/")}
    assert package_files == sources  # every module and data file of d2lref/, nothing more
    assert f"{dist_info}entry_points.txt" not in names  # no command in the reader's install
    requirements = {canonicalize_name(Requirement(r).name) for r in base_requirements(dists.wheel)}
    assert requirements == RUNTIME_PACKAGES
    fields = wheel_metadata(dists.wheel)
    assert fields["Version"] == [d2lref.__version__]
    assert "Provides-Extra" not in fields
    # The sdist builds the same package: the wheel above was built from it.
    with tarfile.open(dists.sdist) as archive:
        sdist_names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert {"pyproject.toml", "README.md", "d2lref/torch.py"} <= sdist_names
    assert not {n for n in sdist_names if n.startswith("book/")}


def _parse_concise_regression(stdout: str) -> tuple[float, list[float], float]:
    """The last epoch's loss and the estimation errors the snippet prints."""
    losses = [float(x) for x in re.findall(r"^epoch \d+, loss ([0-9.e+-]+)$", stdout, re.M)]
    w_error = re.search(r"^error in estimating w: tensor\(\[(.*?)\]\)$", stdout, re.M)
    b_error = re.search(r"^error in estimating b: tensor\(\[(.*?)\]\)$", stdout, re.M)
    assert losses and w_error and b_error, stdout
    return losses[-1], [float(x) for x in w_error[1].split(",")], float(b_error[1])


@pytest.mark.slow
def test_wheel_installs_in_a_fresh_env_and_runs_a_page_snippet(dists: Dists, tmp_path: Path):
    env = make_fresh_env(tmp_path / "venv", base_requirements(dists.wheel), dists.folder)
    workdir = tmp_path / "reader"
    workdir.mkdir()
    install = env.run("-m", "pip", "install", "-q", f"d2lref=={d2lref.__version__}", cwd=workdir)
    assert install.returncode == 0, install.stdout + install.stderr

    where = env.run("-c", "import d2lref; print(d2lref.__file__)", cwd=workdir)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(env.root), where.stdout
    # Neither the book's machinery nor its packages are there.
    for module in ("book", "jupytext"):
        missing = env.run("-c", f"import {module}", cwd=workdir)
        assert f"No module named '{module}'" in missing.stderr

    snippet = workdir / "linear-regression-concise.py"
    shutil.copyfile(REPO_DIR / "snippets/linear-networks/linear-regression-concise.py", snippet)
    result = env.run(snippet.name, cwd=workdir, extra_env={"D2LREF_MODE": "quick"})
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    last_loss, w_error, b_error = _parse_concise_regression(result.stdout)
    assert 0 < last_loss < 0.001  # the noise's variance is 0.0001
    assert len(w_error) == 2 and max(map(abs, w_error)) < 0.05 and abs(b_error) < 0.05
