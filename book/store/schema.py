"""The store file's schema and the digests that seal its cell records.

Every cell record carries a digest of its content: only the runner writes outputs, and text
edited by hand is refused when the store is read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from pathlib import Path
from typing import Any

MODES = ("full", "quick")
# Version of the file layout. Format 1 (no "format" field) had no digests:
# ``python -m book migrate`` upgrades such files without changing their outputs.
STORE_FORMAT = 2

OUTPUT_FIELDS: dict[str, dict[str, type | tuple[type, ...]]] = {
    # type -> required fields and their JSON types
    "stream": {"name": str, "text": str},
    "text": {"text": str},
    "svg": {"data": str},
    "png": {"data": str},
    "jpeg": {"data": str},
    "html": {"data": str},
    "markdown": {"data": str},
    "latex": {"data": str},
    "metrics": {"data": (dict, list)},
}
STREAM_NAMES = ("stdout", "stderr")
# Image records hold base64 text of a file in the format their type names.
IMAGE_SIGNATURES = {"png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff"}


class StoreError(ValueError):
    """A stored output file that cannot be trusted (corrupt, edited by hand, never ran)."""


def record_digest(record: dict[str, Any]) -> str:
    """Digest of a cell record (everything but the digest itself), written by the runner."""
    content = {name: value for name, value in record.items() if name != "digest"}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"d2lref-cell-record-v{STORE_FORMAT}\0{text}".encode()).hexdigest()


def seal_record(record: dict[str, Any]) -> dict[str, Any]:
    """The record with its digest added (the only way outputs enter a store)."""
    sealed = {name: value for name, value in record.items() if name != "digest"}
    sealed["digest"] = record_digest(sealed)
    return sealed


def _fail(path: Path, field: str, problem: str) -> StoreError:
    return StoreError(
        f"{path}: field {field!r} {problem}. The file is damaged or was edited by hand: "
        f"restore it with 'git checkout -- {path}' or delete it, then re-run the snippet "
        "with 'python -m book run'."
    )


def _check_output(path: Path, field: str, item: Any) -> None:
    if not isinstance(item, dict):
        raise _fail(path, field, f"is {type(item).__name__}, not an object")
    kind = item.get("type")
    if kind not in OUTPUT_FIELDS:
        raise _fail(path, f"{field}.type", f"is {kind!r}, not one of {sorted(OUTPUT_FIELDS)}")
    for name, expected in OUTPUT_FIELDS[kind].items():
        if not isinstance(item.get(name), expected):
            raise _fail(path, f"{field}.{name}", f"is missing or not {_type_name(expected)}")
    if kind == "stream" and item["name"] not in STREAM_NAMES:
        raise _fail(path, f"{field}.name", f"is {item['name']!r}, not stdout or stderr")
    if kind in IMAGE_SIGNATURES:
        problem = image_data_problem(kind, item["data"])
        if problem is not None:
            raise _fail(path, f"{field}.data", problem)


def image_data_problem(kind: str, data: str) -> str | None:
    """What is wrong with the base64 ``data`` of a ``png`` or ``jpeg`` record, or None."""
    try:
        raw = base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        return "is not base64 text"
    if not raw.startswith(IMAGE_SIGNATURES[kind]):
        return f"is not {kind.upper()} data (it lacks the {kind.upper()} file signature)"
    return None


def _type_name(expected: type | tuple[type, ...]) -> str:
    names = {str: "a string", dict: "an object", list: "a list", int: "an integer"}
    kinds = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def check_cell_record(path: Path, field: str, record: Any, check_digest: bool = True) -> None:
    """Check one cell record's shape, that it shows a real execution, and its digest."""
    if not isinstance(record, dict):
        raise _fail(path, field, f"is {type(record).__name__}, not an object")
    if not isinstance(record.get("key"), str) or not record["key"]:
        raise _fail(path, f"{field}.key", "is missing or not a string")
    count = record.get("execution_count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise _fail(path, f"{field}.execution_count", f"is {count!r}: the cell never ran")
    duration = record.get("duration_s")
    if not isinstance(duration, (int, float)) or isinstance(duration, bool) or duration <= 0:
        raise _fail(path, f"{field}.duration_s", f"is {duration!r}: the cell never ran")
    outputs = record.get("outputs")
    if not isinstance(outputs, list):
        raise _fail(path, f"{field}.outputs", "is missing or not a list")
    for index, item in enumerate(outputs):
        _check_output(path, f"{field}.outputs[{index}]", item)
    if check_digest:
        digest = record.get("digest")
        if not isinstance(digest, str):
            raise _fail(path, f"{field}.digest", "is missing")
        if digest != record_digest(record):
            raise StoreError(
                f"{path}: the outputs of {field} do not match their digest: they were "
                "edited by hand. Outputs are written only by 'python -m book run': "
                f"restore the file with 'git checkout -- {path}' or re-run the snippet."
            )


def check_format(path: Path, data: dict[str, Any], allow_older: bool = False) -> None:
    """The store's ``format`` is this version's; a store without one (format 1, written by
    an older runner) passes only with ``allow_older``. A newer format asks for an upgrade."""
    found = data.get("format")
    if found == STORE_FORMAT or ("format" not in data and allow_older):
        return
    if "format" not in data:
        raise StoreError(
            f"{path} was written by an older runner (no 'format' field, no output "
            "digests). Upgrade it without changing its outputs: 'python -m book migrate'."
        )
    if isinstance(found, int) and not isinstance(found, bool) and found > STORE_FORMAT:
        raise StoreError(
            f"{path} was written by a newer version of the book's tools (store format "
            f"{found}; this version reads format {STORE_FORMAT}); upgrade this checkout "
            "(git pull) to read it. The file is left as it is."
        )
    raise _fail(path, "format", f"is {found!r}, not {STORE_FORMAT}")


def check_store(path: Path, data: Any, check_digests: bool = True) -> dict[str, Any]:
    """Check a parsed store against the schema; errors name the file and the field."""
    if not isinstance(data, dict):
        raise _fail(path, "(top level)", f"is {type(data).__name__}, not an object")
    check_format(path, data, allow_older=not check_digests)
    if "snippet" in data and not isinstance(data["snippet"], str):
        raise _fail(path, "snippet", "is not a string")
    runs = data.get("runs")
    if not isinstance(runs, dict):
        raise _fail(path, "runs", "is missing or not an object")
    for mode, run in runs.items():
        if mode not in MODES:
            raise _fail(path, f"runs.{mode}", f"names an unknown mode (modes: {', '.join(MODES)})")
        if not isinstance(run, dict):
            raise _fail(path, f"runs.{mode}", f"is {type(run).__name__}, not an object")
        for name in ("date", "mode"):
            if not isinstance(run.get(name), str):
                raise _fail(path, f"runs.{mode}.{name}", "is missing or not a string")
        cells = run.get("cells")
        if not isinstance(cells, dict):
            raise _fail(path, f"runs.{mode}.cells", "is missing or not an object")
        for name, record in cells.items():
            check_cell_record(path, f"runs.{mode}.cells.{name}", record, check_digests)
    return data


def check_unsealed_records(path: Path, data: dict[str, Any]) -> None:
    """Before a store without a ``format`` field is sealed: format 1 had no digests, so a
    record with one comes from a current store whose field was removed, and must match it
    (else migrating would seal outputs edited by hand)."""
    for mode, run in data["runs"].items():
        for name, record in run["cells"].items():
            if "digest" in record:
                check_cell_record(path, f"runs.{mode}.cells.{name}", record)


def empty_store() -> dict[str, Any]:
    return {"format": STORE_FORMAT, "runs": {}}

