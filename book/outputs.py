"""What a cell printed or displayed, turned into the store's records and back into HTML.

* ``collect_outputs``: a notebook cell's outputs -> the store's plain records (text exactly
  as printed, rich MIME types a reader's Jupyter shows, very long text capped, SVG figures
  sanitized, very large figures reported);
* ``publishable_outputs``: stored records as the page and the notebook show them, whichever
  runner stored them: text capped and without control characters, HTML, Markdown and
  LaTeX as sanitized HTML, SVG sanitized, figures over the hard limit left out;
* ``unstable_output``: text that changes on every run and means nothing to a reader
  (object reprs with memory addresses, matplotlib object reprs);
* ``MEASUREMENT``: wall-clock figures (examples/sec, times) -- the only values allowed to
  differ between two runs of the same code; pages mark them as measurements.

The sanitizers themselves live in ``book/outputs_sanitize.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from book.outputs_sanitize import (
    UnsafeSvg,
    latex_html,
    markdown_html,
    sanitize_html,
    sanitize_svg,
    strip_control_characters,
)
from book.store.schema import image_data_problem

# Terminal escape sequences: colors and cursor moves (CSI), window titles and links (OSC).
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?")

# Longest text stored per cell: a cell that prints megabytes would grow the page, the
# notebook and the search index with it. The head and the tail are kept, with the marker
# within the limit, so that capping a capped text changes nothing (the build caps again).
MAX_TEXT_LINES = 400
HEAD_LINES = 300
MAX_TEXT_CHARS = 100_000
HEAD_CHARS = 75_000

# Bytes of one figure (SVG text, or PNG/JPEG data): the run warns above the soft limit, and
# the build leaves a figure over the hard limit out and reports it (a strict build fails).
# The book's largest figure is about 120 kB; a plot of 150,000 points is a 16 MB SVG.
FIGURE_SOFT_LIMIT = 1_000_000
FIGURE_HARD_LIMIT = 5_000_000
FIGURE_TYPES = ("svg", "png", "jpeg")

# Object reprs with a memory address ("<function f at 0x7f...>", "<torch._C.Generator
# object at 0x...>") and matplotlib's object reprs: they change on every run or say
# nothing. A printed hexadecimal number ("crc32 = 0xdeadbeef") is neither.
UNSTABLE_OUTPUT = re.compile(
    r"<[^<>\n]*\bat 0x[0-9a-fA-F]+>"
    r"|^\s*<(?:Axes|Figure|matplotlib\.[\w.]+)\b[^>\n]*>\s*$"
    r"|^\s*\[<matplotlib\.[\w.]+[^\n]*\]\s*$",
    re.M,
)

# A number with a wall-clock unit: "1234.5 examples/sec", "12.35 ms", "3.2 s",
# "(117x faster)". Only such values may differ between two runs of the same code.
MEASUREMENT = re.compile(
    r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?\s?"
    r"(?:examples/sec|examples/s|samples/sec|tokens/sec|it/s|sec/epoch|seconds|sec|ms|µs|us|ns|s)"
    r"(?![\w/])"
    r"|\(\d[\d,.]*x (?:faster|slower)\)"
)
MEASURED_METRICS = re.compile(r"per_sec|seconds|duration|time", re.I)
MASK = "<measured>"

# Rich outputs, in the order Jupyter prefers them; text/plain is the fallback.
RICH_TYPES = {
    "image/svg+xml": "svg",
    "image/png": "png",
    "image/jpeg": "jpeg",
    "text/html": "html",
    "text/markdown": "markdown",
    "text/latex": "latex",
}

def clean_text(text: str) -> str:
    """Text as a terminal shows it: no colors or other escape sequences, Windows line ends
    read as line ends, only the last state of a line redrawn with carriage returns
    (progress bars), and no control characters (NUL, BEL, ...) but tabs and line ends."""
    text = ANSI_ESCAPE.sub("", text).replace("\r\n", "\n")
    text = "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))
    return strip_control_characters(text)


def cap_text(text: str) -> tuple[str, int]:
    """``text`` capped to its head and tail with a visible marker; returns (text, lines cut)."""
    lines = text.splitlines(keepends=True)
    omitted = 0
    if len(lines) > MAX_TEXT_LINES:
        tail = MAX_TEXT_LINES - HEAD_LINES - 1  # the marker is a line of its own
        omitted = len(lines) - HEAD_LINES - tail
        marker = f"… {omitted} lines omitted (the cell printed {len(lines)} lines) …\n"
        text = "".join(lines[:HEAD_LINES]) + marker + "".join(lines[-tail:])
    if len(text) > MAX_TEXT_CHARS:
        # The marker's length with as many digits as the cut can have: the result fits.
        marker_length = len(f"\n… {len(text)} characters omitted …\n")
        tail_chars = MAX_TEXT_CHARS - HEAD_CHARS - marker_length
        cut = len(text) - HEAD_CHARS - tail_chars
        text = (
            text[:HEAD_CHARS] + f"\n… {cut} characters omitted …\n" + text[-tail_chars:]
        )
        omitted = max(omitted, 1)
    return text, omitted


def collect_outputs(
    outputs: list[dict[str, Any]], metrics_mime: str,
    warn: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Turn a notebook cell's outputs into the store's plain records.

    Consecutive prints to the same stream are joined (as Jupyter shows them); text longer
    than the cap keeps its head and tail, and ``warn`` is told how much was cut. SVG figures
    are stored sanitized; ``warn`` is told about figures over the soft limit and about an
    SVG that cannot be made safe (it is left out).
    """
    records: list[dict[str, Any]] = []
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream":
            text = out.get("text", "")
            name = out.get("name", "stdout")
            if records and records[-1]["type"] == "stream" and records[-1]["name"] == name:
                records[-1]["text"] += text
            else:
                records.append({"type": "stream", "name": name, "text": text})
        elif kind in ("execute_result", "display_data"):
            data = out.get("data", {})
            if metrics_mime in data:
                records.append({"type": "metrics", "data": data[metrics_mime]})
                continue
            rich = next((mime for mime in RICH_TYPES if mime in data), None)
            plain = data.get("text/plain")
            if rich is not None:
                record = {"type": RICH_TYPES[rich], "data": _joined(data[rich])}
                if plain is not None and RICH_TYPES[rich] in ("html", "markdown", "latex"):
                    record["text"] = clean_text(_joined(plain))
                records.append(record)
            elif plain is not None:
                records.append({"type": "text", "text": clean_text(_joined(plain))})
    stored = [_stored_record(record, warn or (lambda message: None)) for record in records]
    return [record for record in stored if record is not None]


def _stored_record(
    record: dict[str, Any], warn: Callable[[str], None]
) -> dict[str, Any] | None:
    """One record as the store keeps it: text cleaned and capped, an SVG sanitized (None
    when it cannot be), a figure over the soft limit reported."""
    kind = record["type"]
    if kind == "stream":
        record["text"] = clean_text(record["text"])
    if kind in FIGURE_TYPES:
        if kind == "svg":
            try:
                record["data"] = sanitize_svg(record["data"])
            except UnsafeSvg as err:
                warn(f"an SVG figure was left out: {err}")
                return None
        elif (problem := image_data_problem(kind, record["data"])) is not None:
            warn(f"a {kind.upper()} figure was left out: its data {problem}")
            return None
        size = figure_size(record)
        if size > FIGURE_SOFT_LIMIT:
            warn(f"{_figure_description(kind, size)} is over the soft limit of "
                 f"{FIGURE_SOFT_LIMIT / 1e6:g} MB (the build refuses figures over "
                 f"{FIGURE_HARD_LIMIT / 1e6:g} MB): {FIGURE_ADVICE}")
        return record
    for field in ("text", "data"):
        value = record.get(field)
        if isinstance(value, str):
            record[field], omitted = cap_text(value)
            if omitted:
                warn(f"output capped: {omitted} lines omitted from a {kind} output")
    return record


FIGURE_ADVICE = "plot fewer points, or draw the figure as PNG"


def figure_size(record: dict[str, Any]) -> int:
    """Bytes of a figure record: the SVG's UTF-8 text, or the decoded PNG/JPEG data."""
    data = record.get("data")
    if not isinstance(data, str):
        return 0
    if record["type"] == "svg":
        return len(data.encode("utf-8"))
    return len("".join(data.split()).rstrip("=")) * 3 // 4


def _figure_description(kind: str, size: int) -> str:
    return f"a {size / 1e6:.1f} MB {kind.upper()} figure"


def publishable_outputs(
    records: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[str]]:
    """A cell's stored records as the page and the notebook show them, and the problems
    that fail a strict build; applied to every store, whichever runner wrote it.

    Text is cleaned and capped; HTML, Markdown and LaTeX records get their sanitized HTML
    in ``html``; SVG figures are sanitized. A figure over the hard limit, or an SVG that
    cannot be made safe, becomes an ``omitted`` record whose ``text`` says why.
    """
    shown: list[dict[str, Any]] = []
    problems: list[str] = []
    for record in records:
        item = dict(record)
        kind = item["type"]
        problem = _figure_problem(item) if kind in FIGURE_TYPES else None
        if problem is not None:
            problems.append(problem)
            shown.append({"type": "omitted", "text": problem})
            continue
        for field in ("text",) if kind in FIGURE_TYPES else ("text", "data"):
            if isinstance(item.get(field), str):
                item[field] = cap_text(clean_text(item[field]))[0]
        if kind in RICH_HTML:
            item["html"] = RICH_HTML[kind](item["data"])
        shown.append(item)
    return shown, problems


# The one sanitizer of each rich text type, for the page and the notebook alike.
RICH_HTML: dict[str, Callable[[str], str]] = {
    "html": sanitize_html, "markdown": markdown_html, "latex": latex_html,
}


def _figure_problem(item: dict[str, Any]) -> str | None:
    """Why a figure cannot be published (too large, an unsafe SVG), or None; a published
    SVG figure's data is replaced by its sanitized text."""
    size = figure_size(item)
    if size > FIGURE_HARD_LIMIT:
        return (f"{_figure_description(item['type'], size)} is over the limit of "
                f"{FIGURE_HARD_LIMIT / 1e6:g} MB per figure: {FIGURE_ADVICE}")
    if item["type"] == "svg":
        try:
            item["data"] = sanitize_svg(item["data"])
        except UnsafeSvg as err:
            return f"an SVG figure cannot be shown safely: {err}"
    return None


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def record_texts(record: dict[str, Any]) -> list[str]:
    """The human-readable text of a record (what a reader can read on the page)."""
    return [record[f] for f in ("text", "data") if isinstance(record.get(f), str)
            and record["type"] not in ("png", "jpeg", "svg")]


def unstable_output(records: list[dict[str, Any]]) -> str | None:
    """The first text in ``records`` that changes every run (a memory address, an object
    repr such as ``<Axes: >``), or None."""
    for record in records:
        for text in record_texts(record):
            match = UNSTABLE_OUTPUT.search(text)
            if match:
                line_start = text.rfind("\n", 0, match.start()) + 1
                line_end = text.find("\n", match.end())
                return text[line_start : line_end if line_end >= 0 else len(text)].strip()
    return None


def mask_measurements(value: Any) -> Any:
    """``value`` (a record, text or metrics) with wall-clock measurements replaced by a mask."""
    if isinstance(value, str):
        return MEASUREMENT.sub(MASK, value)
    if isinstance(value, list):
        return [mask_measurements(item) for item in value]
    if isinstance(value, dict):
        return {
            key: MASK if isinstance(key, str) and MEASURED_METRICS.search(key)
            else mask_measurements(item)
            for key, item in value.items()
        }
    return value
