"""Layer tables generated from a model itself: what each top-level child outputs.

A dummy batch runs through the network once and forward hooks on its top-level children
record each output shape; :mod:`d2lref.viz.architecture` draws its figures from these rows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import torch
from torch import nn

__all__ = [
    "LayerRow",
    "check_input_shape",
    "describe_layer",
    "format_shape",
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
        return format_shape(self.feature_shape)


def format_shape(shape: Sequence[int]) -> str:
    """A per-example shape written as ``6×28×28`` (``scalar`` for no dimension)."""
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


def check_input_shape(input_shape: Sequence[int]) -> tuple[int, ...]:
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
    shape = check_input_shape(input_shape)
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
