"""The tensor shortcuts of the original ``d2l`` package (``d2l.ones``, ``d2l.reshape``, ...).

The original book writes some cells once for several frameworks through these names; with
PyTorch each one is the torch function of the same meaning, or a method call on the tensor.
They are kept here unchanged, so that code written against ``d2l==0.17.6`` runs as it is.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

__all__ = [
    "abs", "arange", "argmax", "astype", "concat", "cos", "cosh", "exp", "eye", "float32",
    "int32", "linspace", "log", "matmul", "meshgrid", "nn_Module", "normal", "numpy", "ones",
    "rand", "reduce_sum", "reshape", "sin", "sinh", "size", "stack", "tanh", "tensor", "to",
    "transpose", "zeros",
]

nn_Module = nn.Module

# Plain torch functions and dtypes under the original's names.
ones = torch.ones
zeros = torch.zeros
tensor = torch.tensor
arange = torch.arange
meshgrid = torch.meshgrid
sin = torch.sin
sinh = torch.sinh
cos = torch.cos
cosh = torch.cosh
tanh = torch.tanh
linspace = torch.linspace
exp = torch.exp
log = torch.log
normal = torch.normal
rand = torch.rand
matmul = torch.matmul
int32 = torch.int32
float32 = torch.float32
concat = torch.cat
stack = torch.stack
abs = torch.abs  # the original's name: shadows the builtin only in this module
eye = torch.eye


# Method calls written as functions (the original defines them as lambdas).
def numpy(x: torch.Tensor, *args: Any, **kwargs: Any):
    """``x`` as a NumPy array (detached from the autograd graph first)."""
    return x.detach().numpy(*args, **kwargs)


def size(x: torch.Tensor, *args: Any, **kwargs: Any) -> int:
    """Number of elements of ``x`` (``x.numel()``)."""
    return x.numel(*args, **kwargs)


def reshape(x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    """``x.reshape(...)``."""
    return x.reshape(*args, **kwargs)


def to(x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    """``x.to(...)``: another device or dtype."""
    return x.to(*args, **kwargs)


def reduce_sum(x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    """``x.sum(...)``."""
    return x.sum(*args, **kwargs)


def argmax(x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    """``x.argmax(...)``."""
    return x.argmax(*args, **kwargs)


def astype(x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    """``x.type(...)``: ``x`` converted to another dtype."""
    return x.type(*args, **kwargs)


def transpose(x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    """``x.t()``: the transpose of a matrix (at most 2-D, as torch's ``t``)."""
    return x.t(*args, **kwargs)
