"""Time the site's build of both languages, cold (no .cache/, as in a fresh checkout) and warm.

Run from the repository root (``make site-timing``)::

    python docs/hooks/build_timing.py            # strict builds, as `make site`
    python docs/hooks/build_timing.py --no-strict  # while some stored outputs are stale

It removes ``.cache/`` (mkdocs-jupyter's notebook cache), builds Chinese then English, then
builds both again with the cache the first pass left, and prints the seconds of each build.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]
CONFIGS = ("mkdocs.yml", "mkdocs.en.yml")


def build_seconds(config: str, strict: bool) -> float:
    """Seconds one `mkdocs build` of `config` takes; exits with its output if it fails."""
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", config]
    if strict:
        command.insert(4, "--strict")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    result = subprocess.run(command, cwd=REPO_DIR, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(command[2:])} failed:\n{result.stdout}{result.stderr}")
    return seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--no-strict", action="store_true", help="build without --strict (stale outputs)"
    )
    args = parser.parse_args(argv)
    strict = not args.no_strict
    shutil.rmtree(REPO_DIR / ".cache", ignore_errors=True)
    rows = []
    for cache in ("cold", "warm"):
        seconds = [build_seconds(config, strict) for config in CONFIGS]
        rows.append((cache, *seconds, sum(seconds)))
    mode = "strict" if strict else "non-strict"
    print(f"mkdocs build ({mode}), seconds, on {os.cpu_count()} CPUs")
    print(f"{'cache':<6} {'zh':>7} {'en':>7} {'total':>7}")
    for cache, zh, en, total in rows:
        print(f"{cache:<6} {zh:7.1f} {en:7.1f} {total:7.1f}")


if __name__ == "__main__":
    main()
