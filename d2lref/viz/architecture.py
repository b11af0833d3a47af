"""Layer tables and architecture diagrams generated from a model itself.

The book's model figures (LeNet, AlexNet beside LeNet, ...) are never drawn by hand: a dummy
batch runs through the network once, forward hooks on its top-level children record each
output shape, and the figure is built from those records as a plain SVG string (no graphviz,
no randomness, so the same model always gives the same bytes).
"""

from __future__ import annotations

import dataclasses
import html
import os
from collections.abc import Sequence

import torch
from torch import nn

__all__ = [
    "ArchitectureDiagram",
    "LayerRow",
    "architecture_diagram",
    "compare_architectures",
    "describe_layer",
    "layer_summary",
    "print_layer_shapes",
]


@dataclasses.dataclass(frozen=True)
class LayerRow:
    """One row of a layer summary: a top-level child of the network and what it produced."""

    name: str
    """The child's name in its parent: ``"0"``, ``"1"`` in a Sequential, else the attribute."""
    layer: str
    """The class name, e.g. ``"Conv2d"``."""
    description: str
    """A short label with the layer's settings, e.g. ``"Conv2d 1→6, 5×5, pad 2"``."""
    output_shape: torch.Size
    """The full output shape, batch dimension included."""
    num_params: int
    """Number of parameters owned by this child (shared parameters are counted where they live)."""

    @property
    def feature_shape(self) -> tuple[int, ...]:
        """The output shape of one example (the batch dimension dropped)."""
        return tuple(self.output_shape[1:])

    @property
    def shape_text(self) -> str:
        """The per-example output shape written as ``6×28×28``."""
        return _shape_text(self.feature_shape)


def _shape_text(shape: Sequence[int]) -> str:
    return "×".join(str(int(d)) for d in shape) if len(shape) else "scalar"


def _pair_text(value: object) -> str:
    """Write a kernel size / stride / padding that may be an int or a tuple."""
    if isinstance(value, tuple):
        if len(set(value)) == 1:
            return str(value[0])
        return "×".join(str(v) for v in value)
    return str(value)


def _kernel_text(value: object) -> str:
    if isinstance(value, tuple):
        return "×".join(str(v) for v in value)
    return f"{value}×{value}"


def _is_zero(value: object) -> bool:
    if isinstance(value, tuple):
        return all(v == 0 for v in value)
    return value == 0


def _is_one(value: object) -> bool:
    if isinstance(value, tuple):
        return all(v == 1 for v in value)
    return value == 1


def describe_layer(module: nn.Module) -> str:
    """Return a short human label of a layer with its settings (``"Linear 400→120"``)."""
    name = type(module).__name__
    if isinstance(module, nn.modules.conv._ConvNd):
        kernel = _kernel_text(module.kernel_size)
        text = f"{name} {module.in_channels}→{module.out_channels}, {kernel}"
        if isinstance(module.padding, str):
            text += f", pad {module.padding}"
        elif not _is_zero(module.padding):
            text += f", pad {_pair_text(module.padding)}"
        if not _is_one(module.stride):
            text += f", stride {_pair_text(module.stride)}"
        if module.groups != 1:
            text += f", groups {module.groups}"
        return text
    if isinstance(module, nn.Linear):
        return f"{name} {module.in_features}→{module.out_features}"
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d, nn.MaxPool1d, nn.AvgPool1d)):
        text = f"{name} {_kernel_text(module.kernel_size)}"
        if module.stride is not None and not _is_one(module.stride):
            text += f", stride {_pair_text(module.stride)}"
        if not _is_zero(module.padding):
            text += f", pad {_pair_text(module.padding)}"
        return text
    if isinstance(module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        return f"{name} → {_kernel_text(module.output_size)}"
    if isinstance(module, nn.modules.batchnorm._BatchNorm):
        return f"{name} {module.num_features}"
    if isinstance(module, nn.modules.dropout._DropoutNd):
        return f"{name} p={module.p:g}"
    if isinstance(module, (nn.Sequential, nn.ModuleList)):
        return _container_text(module)
    return name


# Activations, flattening and identities shape no feature map: a block's label leaves them out.
_UNLABELED = (nn.ReLU, nn.Sigmoid, nn.Tanh, nn.GELU, nn.LeakyReLU, nn.Softmax, nn.Flatten,
               nn.Identity)


def _block_part(module: nn.Module) -> str | None:
    """The short word a layer contributes to its block's label (``"conv 3×3"``, ``"pool"``)."""
    if isinstance(module, nn.modules.conv._ConvNd):
        return f"conv {_kernel_text(module.kernel_size)}"
    if isinstance(module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        return "global pool"
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d, nn.MaxPool1d, nn.AvgPool1d)):
        return "pool"
    if isinstance(module, nn.Linear):
        return "dense"
    if isinstance(module, nn.modules.batchnorm._BatchNorm):
        return "BN"
    if isinstance(module, nn.modules.dropout._DropoutNd):
        return "dropout"
    if isinstance(module, _UNLABELED):
        return None
    return type(module).__name__


def _container_text(module: nn.Module) -> str:
    """A block as the book draws it: ``conv 3×3 ×2 + pool``, repeated layers counted."""
    runs: list[list] = []
    for child in module.children():
        part = _block_part(child)
        if part is None:
            continue
        if runs and runs[-1][0] == part:
            runs[-1][1] += 1
        else:
            runs.append([part, 1])
    if not runs:
        return type(module).__name__
    return " + ".join(part if count == 1 else f"{part} ×{count}" for part, count in runs)


def _check_input_shape(input_shape: Sequence[int]) -> tuple[int, ...]:
    try:
        shape = tuple(int(d) for d in input_shape)
    except TypeError as error:
        raise TypeError(
            f"input_shape must be a sequence of ints such as (1, 1, 28, 28), got {input_shape!r}."
        ) from error
    if len(shape) < 2 or any(d <= 0 for d in shape):
        raise ValueError(
            f"input_shape {shape} must include the batch dimension and be positive, "
            "e.g. (1, 1, 28, 28) for one 28×28 grayscale image."
        )
    return shape


def _net_device(net: nn.Module) -> torch.device:
    for tensor in list(net.parameters()) + list(net.buffers()):
        return tensor.device
    return torch.device("cpu")


def _first_tensor(output: object) -> torch.Tensor | None:
    if isinstance(output, torch.Tensor):
        return output
    if isinstance(output, (tuple, list)):
        for item in output:
            found = _first_tensor(item)
            if found is not None:
                return found
    return None


def layer_summary(net: nn.Module, input_shape: Sequence[int]) -> list[LayerRow]:
    """Run one random batch of ``input_shape`` through ``net`` and list its top-level children.

    ``input_shape`` includes the batch dimension, e.g. ``(1, 1, 28, 28)``. Forward hooks on the
    direct children record each output, so a nested ``Sequential`` block shows as one row (in
    call order; a child called twice shows twice). A network without children is one row.
    The network runs in eval mode without gradients, and its mode is restored afterwards, so
    the summary never changes batch-norm statistics.
    """
    if not isinstance(net, nn.Module):
        raise TypeError(f"net must be a torch.nn.Module, got {type(net).__name__}.")
    shape = _check_input_shape(input_shape)
    children = list(net.named_children()) or [(type(net).__name__, net)]
    rows: list[LayerRow] = []
    handles = []

    def make_hook(child_name: str):
        def hook(module: nn.Module, _inputs: object, output: object) -> None:
            tensor = _first_tensor(output)
            out_shape = tensor.shape if tensor is not None else torch.Size()
            rows.append(
                LayerRow(
                    name=child_name,
                    layer=type(module).__name__,
                    description=describe_layer(module),
                    output_shape=out_shape,
                    num_params=sum(p.numel() for p in module.parameters()),
                )
            )

        return hook

    for child_name, child in children:
        handles.append(child.register_forward_hook(make_hook(child_name)))
    was_training = net.training
    try:
        net.eval()
        with torch.no_grad():
            net(torch.rand(shape, device=_net_device(net)))
    except RuntimeError as error:
        raise ValueError(
            f"{type(net).__name__} could not run an input of shape {shape}: {error}. "
            "Pass the input_shape the network expects (batch, channels, height, width)."
        ) from error
    finally:
        for handle in handles:
            handle.remove()
        net.train(was_training)
    return rows


def print_layer_shapes(net: nn.Module, input_shape: Sequence[int]) -> list[LayerRow]:
    """Print the book's ``Conv2d output shape:\\t torch.Size([...])`` line for each child.

    Returns the rows of :func:`layer_summary` so that a caller can also assert on them.
    """
    rows = layer_summary(net, input_shape)
    for row in rows:
        print(row.layer, "output shape:\t", row.output_shape)
    return rows


# --- SVG rendering -----------------------------------------------------------------------

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
    input_text = f"Input {_shape_text(input_shape[1:])}"
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
    shape = _check_input_shape(input_shape)
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
        shapes = [_check_input_shape(s) for s in input_shape]  # type: ignore[arg-type]
        if len(shapes) != len(nets):
            raise ValueError(
                f"Got {len(shapes)} input shapes for {len(nets)} networks; pass one shape "
                "for all of them or exactly one per network."
            )
    else:
        shapes = [_check_input_shape(input_shape)] * len(nets)  # type: ignore[arg-type]
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
