"""Convolution and pooling written out with loops, as the book builds them from scratch.

These are for reading and checking, not for speed: ``nn.Conv2d`` and ``nn.MaxPool2d`` do the
same arithmetic in optimized kernels (the tests compare the two).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

__all__ = [
    "Conv2D",
    "comp_conv2d",
    "corr2d",
    "corr2d_multi_in",
    "corr2d_multi_in_out",
    "corr2d_multi_in_out_1x1",
    "pool2d",
]


def _as_tensor(name: str, array) -> torch.Tensor:
    """A tensor as it is; a NumPy array (which the book's loops also accept) as a tensor."""
    if isinstance(array, np.ndarray):
        return torch.from_numpy(array)
    return array


def _check_ndim(name: str, tensor: torch.Tensor, ndim: int, layout: str) -> None:
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(tensor).__name__}.")
    if tensor.dim() != ndim:
        raise ValueError(
            f"{name} must be {ndim}-D ({layout}), got shape {tuple(tensor.shape)}; "
            "reshape it (e.g. X.reshape(h, w)) or pick the matching function."
        )


def corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Two-dimensional cross-correlation of a 2-D input ``X`` with a 2-D kernel ``K``.

    Each output element is the sum of the elementwise product of ``K`` with the window
    of ``X`` under it; the output has shape ``(n_h - k_h + 1, n_w - k_w + 1)``. As in
    the book, the output is a float tensor of the default dtype (float64 inputs keep
    float64), and NumPy arrays are accepted.
    """
    X, K = _as_tensor("X", X), _as_tensor("K", K)
    _check_ndim("X", X, 2, "height × width")
    _check_ndim("K", K, 2, "height × width")
    h, w = K.shape
    if h < 1 or w < 1:
        raise ValueError(
            f"kernel of shape {tuple(K.shape)} is empty: every output would be a sum "
            "of no products (0); give the kernel at least one row and one column."
        )
    if h > X.shape[0] or w > X.shape[1]:
        raise ValueError(
            f"kernel of shape {tuple(K.shape)} is larger than the input of shape "
            f"{tuple(X.shape)}; use a smaller kernel or pad the input first."
        )
    # The book fills torch.zeros (the default float dtype): integer inputs give floats.
    dtype = torch.promote_types(torch.result_type(X, K), torch.get_default_dtype())
    Y = torch.zeros(
        (X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=dtype, device=X.device
    )
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


class Conv2D(nn.Module):
    """The book's from-scratch convolutional layer: ``corr2d`` plus a learnable bias."""

    def __init__(self, kernel_size: tuple[int, int]):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return corr2d(x, self.weight) + self.bias


def corr2d_multi_in(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Cross-correlation of a ``(c_i, h, w)`` input with a ``(c_i, k_h, k_w)`` kernel.

    One 2-D cross-correlation per input channel, then the results are summed: many input
    channels give one output channel.
    """
    _check_ndim("X", X, 3, "channels × height × width")
    _check_ndim("K", K, 3, "channels × height × width")
    if X.shape[0] != K.shape[0]:
        raise ValueError(
            f"input has {X.shape[0]} channels but the kernel has {K.shape[0]}; a "
            "multi-input kernel needs one 2-D slice per input channel (K.shape[0] == "
            "X.shape[0])."
        )
    return sum(  # type: ignore[return-value]  # 0 only for zero channels
        corr2d(x, k) for x, k in zip(X, K, strict=True))


def corr2d_multi_in_out(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Cross-correlation of a ``(c_i, h, w)`` input, ``(c_o, c_i, k_h, k_w)`` kernel.

    Each of the ``c_o`` kernels gives one output channel; they are stacked on
    dimension 0.
    """
    _check_ndim("K", K, 4, "out-channels × in-channels × height × width")
    _check_ndim("X", X, 3, "channels × height × width")
    if X.shape[0] != K.shape[1]:
        raise ValueError(
            f"input has {X.shape[0]} channels but the kernel expects {K.shape[1]} "
            "(K.shape[1]); make K of shape (c_o, c_i, k_h, k_w) with c_i == X.shape[0]."
        )
    return torch.stack([corr2d_multi_in(X, k) for k in K], 0)


def corr2d_multi_in_out_1x1(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """A 1×1 convolution written as a matrix product over channels.

    ``X`` is ``(c_i, h, w)``, ``K`` is ``(c_o, c_i, 1, 1)``; every pixel's channel
    vector is multiplied by the ``(c_o, c_i)`` weight matrix, like a fully connected
    layer per pixel.
    """
    _check_ndim("X", X, 3, "channels × height × width")
    _check_ndim("K", K, 4, "out-channels × in-channels × 1 × 1")
    if K.shape[2:] != (1, 1):
        raise ValueError(
            f"kernel has spatial size {tuple(K.shape[2:])}, not 1×1; use "
            "corr2d_multi_in_out for larger kernels."
        )
    c_i, h, w = X.shape
    c_o = K.shape[0]
    if K.shape[1] != c_i:
        raise ValueError(
            f"input has {c_i} channels but the kernel expects {K.shape[1]}; make K of "
            f"shape (c_o, {c_i}, 1, 1)."
        )
    Y = torch.matmul(K.reshape(c_o, c_i), X.reshape(c_i, h * w))
    return Y.reshape(c_o, h, w)


def pool2d(
    X: torch.Tensor, pool_size: tuple[int, int], mode: str = "max"
) -> torch.Tensor:
    """Max or average pooling of a 2-D input, ``pool_size`` window, stride 1."""
    _check_ndim("X", X, 2, "height × width")
    if mode not in ("max", "avg"):
        raise ValueError(f"mode={mode!r} is not a pooling mode; use 'max' or 'avg'.")
    p_h, p_w = pool_size
    if p_h > X.shape[0] or p_w > X.shape[1] or p_h < 1 or p_w < 1:
        raise ValueError(
            f"pool window {tuple(pool_size)} does not fit the input of shape "
            f"{tuple(X.shape)}; use a window between 1×1 and the input size."
        )
    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1), dtype=X.dtype,
                    device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = X[i:i + p_h, j:j + p_w]
            Y[i, j] = window.max() if mode == "max" else window.mean()
    return Y


def comp_conv2d(conv2d: nn.Module, X: torch.Tensor | Sequence[int]) -> torch.Tensor:
    """Apply ``conv2d`` to a single-channel 2-D input and return the 2-D result.

    The book's helper for checking output shapes: ``X`` (a tensor of shape ``(h, w)``,
    or just the shape) gets batch and channel dimensions of size 1, which are removed
    again.
    """
    if not isinstance(X, torch.Tensor):
        X = torch.rand(tuple(X))
    _check_ndim("X", X, 2, "height × width")
    Y = conv2d(X.reshape((1, 1) + tuple(X.shape)))
    return Y.reshape(Y.shape[2:])
