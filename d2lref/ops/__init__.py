"""d2lref.ops (public names are listed in __all__ and re-exported by d2lref.torch)."""

from d2lref.ops.conv import (
    Conv2D,
    comp_conv2d,
    corr2d,
    corr2d_multi_in,
    corr2d_multi_in_out,
    corr2d_multi_in_out_1x1,
    pool2d,
)

__all__: list[str] = [
    "Conv2D",
    "comp_conv2d",
    "corr2d",
    "corr2d_multi_in",
    "corr2d_multi_in_out",
    "corr2d_multi_in_out_1x1",
    "pool2d",
]
