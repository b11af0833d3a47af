"""Architecture diagrams generated from a model itself.

The book's model figures (LeNet, AlexNet beside LeNet, ...) are never drawn by hand: the rows
of :func:`d2lref.viz.layers.layer_summary` (one per top-level child, with its output shape)
are drawn as a plain SVG string (no graphviz, no randomness, so the same model always gives
the same bytes).
"""

from __future__ import annotations

import dataclasses
import html
import os
from collections.abc import Sequence

import torch
from torch import nn

from d2lref.viz.layers import LayerRow, check_input_shape, format_shape, layer_summary

__all__ = ["ArchitectureDiagram", "architecture_diagram", "compare_architectures"]


_FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
_BOX_HEIGHT = 44
_GAP = 18
_MARGIN = 16
_CHAR_WIDTH = 7.2  # average width of a 12 px sans-serif glyph, to size boxes to their labels

# Fill colors by kind of layer; every fill is light so dark text reads in both site themes.
_FILLS = {
    "conv": "#dbeafe",
    "pool": "#dcfce7",
    "linear": "#ffedd5",
    "norm": "#f3e8ff",
    "block": "#e0f2fe",
    "other": "#f4f4f5",
    "input": "#ffffff",
}


def _kind(layer: str) -> str:
    if "Conv" in layer:
        return "conv"
    if "Pool" in layer:
        return "pool"
    if layer in {"Linear", "LazyLinear", "Bilinear"}:
        return "linear"
    if "Norm" in layer:
        return "norm"
    if layer in {"Sequential", "ModuleList"} or layer.endswith("Block"):
        return "block"
    return "other"


def _format_count(count: int) -> str:
    return f"{count:,}"


@dataclasses.dataclass(frozen=True)
class _Panel:
    """One rendered diagram: SVG elements placed from (0, 0), plus its size."""

    elements: str
    width: float
    height: float


def _text_width(text: str) -> float:
    # CJK and arrow glyphs are wider than Latin ones.
    return sum(_CHAR_WIDTH * (1.8 if ord(ch) > 0x2E80 else 1.0) for ch in text)


def _render_panel(rows: list[LayerRow], input_shape: tuple[int, ...], title: str | None) -> _Panel:
    esc = html.escape
    input_text = f"Input {format_shape(input_shape[1:])}"
    lines = [(input_text, "")]
    for row in rows:
        params = f"{_format_count(row.num_params)} params" if row.num_params else "no params"
        lines.append((row.description, f"{row.shape_text} · {params}"))
    total = sum(row.num_params for row in rows)
    total_text = f"Total: {_format_count(total)} parameters"
    widest = max([_text_width(a) for a, _ in lines] + [_text_width(b) for _, b in lines])
    widest = max(widest, _text_width(total_text), _text_width(title or "") * 1.15)
    box_width = max(200.0, widest + 24)
    width = box_width + 2 * _MARGIN
    parts: list[str] = []
    y = float(_MARGIN)
    center = width / 2
    if title:
        parts.append(
            f'<text x="{center:.1f}" y="{y + 14:.1f}" text-anchor="middle" font-size="15" '
            f'font-weight="bold">{esc(title)}</text>'
        )
        y += 28
    kinds = ["input"] + [_kind(row.layer) for row in rows]
    for index, ((label, detail), kind) in enumerate(zip(lines, kinds, strict=True)):
        if index > 0:
            top = y - _GAP
            parts.append(
                f'<line x1="{center:.1f}" y1="{top:.1f}" x2="{center:.1f}" y2="{y - 5:.1f}" '
                'stroke="#52525b" stroke-width="1.5"/>'
                f'<path d="M{center - 4:.1f},{y - 6:.1f} L{center + 4:.1f},{y - 6:.1f} '
                f'L{center:.1f},{y:.1f} Z" fill="#52525b"/>'
            )
        height = _BOX_HEIGHT if detail else 30
        dash = ' stroke-dasharray="4 3"' if kind == "input" else ""
        parts.append(
            f'<rect x="{_MARGIN:.1f}" y="{y:.1f}" width="{box_width:.1f}" height="{height}" '
            f'rx="6" fill="{_FILLS[kind]}" stroke="#3f3f46" stroke-width="1"{dash}/>'
        )
        if detail:
            parts.append(
                f'<text x="{center:.1f}" y="{y + 18:.1f}" text-anchor="middle" font-size="12" '
                f'font-weight="bold">{esc(label)}</text>'
                f'<text x="{center:.1f}" y="{y + 35:.1f}" text-anchor="middle" font-size="11" '
                f'fill="#3f3f46">{esc(detail)}</text>'
            )
        else:
            parts.append(
                f'<text x="{center:.1f}" y="{y + 19:.1f}" text-anchor="middle" font-size="12" '
                f'font-weight="bold">{esc(label)}</text>'
            )
        y += height + _GAP
    parts.append(
        f'<text x="{center:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="12">'
        f"{esc(total_text)}</text>"
    )
    return _Panel("".join(parts), width, y + 4 + _MARGIN)


def _svg_document(panels: list[_Panel], label: str) -> str:
    width = sum(panel.width for panel in panels) + _GAP * (len(panels) - 1)
    height = max(panel.height for panel in panels)
    body = []
    x = 0.0
    for panel in panels:
        body.append(f'<g transform="translate({x:.1f},0)">{panel.elements}</g>')
        x += panel.width + _GAP
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.1f} {height:.1f}" role="img" aria-label="{html.escape(label)}" '
        f'font-family="{_FONT}" fill="#18181b">'
        f'<rect width="100%" height="100%" fill="#ffffff"/>' + "".join(body) + "</svg>"
    )


class ArchitectureDiagram:
    """An SVG figure of one or more networks; Jupyter shows it inline through ``_repr_svg_``."""

    def __init__(self, svg: str, rows: list[list[LayerRow]]):
        self.svg = svg
        """The whole SVG document as a string."""
        self.rows = rows
        """The layer summaries the figure was drawn from, one list per network."""

    def _repr_svg_(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        counts = ", ".join(str(len(r)) for r in self.rows)
        return f"<ArchitectureDiagram of {len(self.rows)} network(s), layers: {counts}>"

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the SVG to ``path`` (UTF-8)."""
        with open(path, "w", encoding="utf-8") as file:
            file.write(self.svg)


def _label_rows(
    net: nn.Module, rows: list[LayerRow], names: Sequence[str | None] | None
) -> list[LayerRow]:
    """Prefix each row's label with the name the text uses for that child (``"b3: ..."``)."""
    if names is None:
        return rows
    children = [child_name for child_name, _ in net.named_children()]
    if isinstance(names, str) or len(names) != len(children):
        raise ValueError(
            f"names must give one label (or None) per top-level child of the network: it has "
            f"{len(children)} children, got {names!r}. Example: names=['b1', 'b2', None]."
        )
    labels = dict(zip(children, names, strict=True))
    return [
        dataclasses.replace(row, description=f"{labels[row.name]}: {row.description}")
        if labels.get(row.name) else row
        for row in rows
    ]


def architecture_diagram(
    net: nn.Module, input_shape: Sequence[int], title: str | None = None,
    names: Sequence[str | None] | None = None,
) -> ArchitectureDiagram:
    """Draw ``net`` as a vertical stack of boxes, one per top-level child, input at the top.

    Each box shows the layer and its settings, the per-example output shape and the
    parameter count; the total parameter count sits under the stack. ``names`` labels the
    top-level children with the names the text uses (``["b1", "b2", ..., None]``).
    """
    shape = check_input_shape(input_shape)
    rows = _label_rows(net, layer_summary(net, shape), names)
    panel = _render_panel(rows, shape, title)
    return ArchitectureDiagram(_svg_document([panel], title or type(net).__name__), [rows])


def compare_architectures(
    nets: Sequence[tuple[str, nn.Module]], input_shape: Sequence[int] | Sequence[Sequence[int]],
    names: Sequence[Sequence[str | None] | None] | None = None,
) -> ArchitectureDiagram:
    """Draw several networks side by side, e.g. ``[("LeNet", lenet()), ("AlexNet", alexnet())]``.

    ``input_shape`` is one shape for all networks, or one shape per network (LeNet reads
    28×28 images while AlexNet reads 224×224 ones). ``names`` gives, per network, the labels
    of its top-level children (or None), as in :func:`architecture_diagram`.
    """
    nets = list(nets)
    if not nets or not all(
        isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], nn.Module)
        for item in nets
    ):
        raise TypeError("nets must be a non-empty list of (title, nn.Module) pairs.")
    if input_shape and all(isinstance(s, (tuple, list, torch.Size)) for s in input_shape):
        shapes = [check_input_shape(s) for s in input_shape]  # type: ignore[arg-type]
        if len(shapes) != len(nets):
            raise ValueError(
                f"Got {len(shapes)} input shapes for {len(nets)} networks; pass one shape "
                "for all of them or exactly one per network."
            )
    else:
        shapes = [check_input_shape(input_shape)] * len(nets)  # type: ignore[arg-type]
    if names is None:
        names = [None] * len(nets)
    elif len(names) != len(nets):
        raise ValueError(
            f"Got {len(names)} lists of names for {len(nets)} networks; pass one per network "
            "(None where the default labels suffice)."
        )
    all_rows = []
    panels = []
    for (title, net), shape, net_names in zip(nets, shapes, names, strict=True):
        rows = _label_rows(net, layer_summary(net, shape), net_names)
        all_rows.append(rows)
        panels.append(_render_panel(rows, shape, title))
    label = " beside ".join(title for title, _ in nets)
    return ArchitectureDiagram(_svg_document(panels, label), all_rows)
