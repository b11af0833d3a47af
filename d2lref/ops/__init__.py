"""d2lref.ops (public names are listed in __all__ and re-exported by d2lref.torch)."""

from typing import TYPE_CHECKING

from d2lref._lazy import lazy_package

__all__: list[str] = [
    "Conv2D",
    "comp_conv2d",
    "corr2d",
    "corr2d_multi_in",
    "corr2d_multi_in_out",
    "corr2d_multi_in_out_1x1",
    "pool2d",
]

# Each name is imported from its module on first use (see d2lref._lazy): a program imports
# only the modules it uses.
lazy_package(__name__, __file__)

if TYPE_CHECKING:
    from d2lref.ops.conv import (
        Conv2D,
        comp_conv2d,
        corr2d,
        corr2d_multi_in,
        corr2d_multi_in_out,
        corr2d_multi_in_out_1x1,
        pool2d,
    )
