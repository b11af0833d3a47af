"""What a cell printed or displayed, turned into the store's records and back into HTML.

* ``collect_outputs``: a notebook cell's outputs -> the store's plain records (text exactly
  as printed, rich MIME types a reader's Jupyter shows, very long text capped);
* ``unstable_output``: text that changes on every run and means nothing to a reader
  (memory addresses, matplotlib object reprs);
* ``MEASUREMENT``: wall-clock figures (examples/sec, times) -- the only values allowed to
  differ between two runs of the same code; pages mark them as measurements;
* ``sanitize_html``: HTML a cell displayed, reduced to tags that cannot run code.
"""

from __future__ import annotations

import re
from typing import Any

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

# Longest text stored per cell: a cell that prints megabytes would grow the page, the
# notebook and the search index with it. The head and the tail are kept.
MAX_TEXT_LINES = 400
HEAD_LINES = 300
MAX_TEXT_CHARS = 100_000
HEAD_CHARS = 75_000

# Memory addresses and matplotlib object reprs: they change on every run or say nothing.
UNSTABLE_OUTPUT = re.compile(
    r"0x[0-9a-fA-F]{6,}"
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

# Tags and attributes a displayed HTML output keeps (tables, text formatting, lists).
HTML_TAGS = frozenset(
    "a abbr b blockquote br caption code col colgroup dd del div dl dt em h1 h2 h3 h4 h5 h6 hr"
    " i ins kbd li ol p pre q s samp small span strong sub sup table tbody td tfoot th thead"
    " tr u ul var".split()
)
HTML_ATTRIBUTES = {
    "*": ["class", "title"],
    "a": ["href", "title"],
    "td": ["colspan", "rowspan", "align"],
    "th": ["colspan", "rowspan", "align", "scope"],
    "col": ["span"],
    "colgroup": ["span"],
}


def clean_text(text: str) -> str:
    """Text as a terminal shows it: no colors, Windows line ends read as line ends, and only
    the last state of a line redrawn with carriage returns (progress bars)."""
    text = ANSI_ESCAPE.sub("", text).replace("\r\n", "\n")
    return "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))


def cap_text(text: str) -> tuple[str, int]:
    """``text`` capped to its head and tail with a visible marker; returns (text, lines cut)."""
    lines = text.splitlines(keepends=True)
    omitted = 0
    if len(lines) > MAX_TEXT_LINES:
        tail = MAX_TEXT_LINES - HEAD_LINES
        omitted = len(lines) - MAX_TEXT_LINES
        marker = f"… {omitted} lines omitted (the cell printed {len(lines)} lines) …\n"
        text = "".join(lines[:HEAD_LINES]) + marker + "".join(lines[-tail:])
    if len(text) > MAX_TEXT_CHARS:
        cut = len(text) - MAX_TEXT_CHARS
        tail_chars = MAX_TEXT_CHARS - HEAD_CHARS
        text = (
            text[:HEAD_CHARS] + f"\n… {cut} characters omitted …\n" + text[-tail_chars:]
        )
        omitted = max(omitted, 1)
    return text, omitted


def collect_outputs(
    outputs: list[dict[str, Any]], metrics_mime: str, warn: Any = None
) -> list[dict[str, Any]]:
    """Turn a notebook cell's outputs into the store's plain records.

    Consecutive prints to the same stream are joined (as Jupyter shows them); text longer
    than the cap keeps its head and tail, and ``warn`` is told how much was cut.
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
    for record in records:
        if record["type"] == "stream":
            record["text"] = clean_text(record["text"])
        for field in ("text", "data"):
            value = record.get(field)
            if isinstance(value, str) and record["type"] not in ("png", "jpeg", "svg"):
                record[field], omitted = cap_text(value)
                if omitted and warn is not None:
                    warn(f"output capped: {omitted} lines omitted from a {record['type']} output")
    return records


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


def sanitize_html(markup: str) -> str:
    """HTML a cell displayed, without scripts, styles, event handlers or embedded frames."""
    import bleach  # comes with nbconvert, a dependency of the docs build

    # Script and style bodies are code, not content: drop them before bleach strips tags.
    markup = re.sub(r"<(script|style)\b.*?</\1\s*>", "", markup, flags=re.S | re.I)
    return bleach.clean(
        markup, tags=HTML_TAGS, attributes=HTML_ATTRIBUTES,
        protocols={"http", "https", "mailto"}, strip=True, strip_comments=True,
    )
