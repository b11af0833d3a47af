"""Time the site's build of both languages, cold (no .cache/, as in a fresh checkout) and warm.

Run from the repository root (``make site-timing``)::

    python -m book.build_timing                 # `make site`: strict, both at once
    python -m book.build_timing --no-strict     # while some stored outputs are stale
    python -m book.build_timing --per-language  # also each language's build alone

It removes ``.cache/`` (mkdocs-jupyter's notebook cache), runs ``make site``, runs it again
with the cache the first run left, and prints the seconds of each.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time

from book.paths import REPO_DIR

CONFIGS = {"zh": "mkdocs.yml", "en": "mkdocs.en.yml"}


def seconds_of(command: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds `command` takes; exits with its output if it fails.

    CPU seconds (user + system, of all its processes) hardly change when other programs
    share the machine; wall-clock seconds do.
    """
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    cpu_before = _children_cpu_seconds()
    start = time.perf_counter()
    result = subprocess.run(command, cwd=REPO_DIR, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return wall, _children_cpu_seconds() - cpu_before


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--no-strict", action="store_true", help="build without --strict (stale outputs)"
    )
    parser.add_argument(
        "--per-language", action="store_true", help="also time each language's build alone"
    )
    args = parser.parse_args(argv)
    strict_flag = "" if args.no_strict else "--strict"
    make_site = ["make", "-s", "site", f"SITE_STRICT={strict_flag}"]
    rows: list[tuple[str, str, tuple[float, float]]] = []
    for cache in ("cold", "warm"):
        if cache == "cold":
            shutil.rmtree(REPO_DIR / ".cache", ignore_errors=True)
        rows.append(("make site (both languages)", cache, seconds_of(make_site)))
    if args.per_language:
        for cache in ("cold", "warm"):
            if cache == "cold":
                shutil.rmtree(REPO_DIR / ".cache", ignore_errors=True)
            for lang, config in CONFIGS.items():
                build = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", config]
                build += [strict_flag] if strict_flag else []
                rows.append((f"mkdocs build {lang} alone", cache, seconds_of(build)))
    mode = "strict" if strict_flag else "non-strict"
    print(f"Site build times ({mode}), on {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(f"  {'':<28} {'cache':<5} {'wall s':>7} {'CPU s':>7}")
    for what, cache, (wall, cpu) in rows:
        print(f"  {what:<28} {cache:<5} {wall:7.1f} {cpu:7.1f}")


if __name__ == "__main__":
    main()
