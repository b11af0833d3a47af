"""d2lref.viz (public names are listed in __all__ and re-exported by d2lref.torch)."""

from typing import TYPE_CHECKING

from d2lref._lazy import lazy_package

__all__: list[str] = [
    "ArchitectureDiagram",
    "LayerRow",
    "architecture_diagram",
    "compare_architectures",
    "describe_layer",
    "layer_summary",
    "print_layer_shapes",
]

# Each name is imported from its module on first use (see d2lref._lazy): a program imports
# only the modules it uses.
lazy_package(__name__, __file__)

if TYPE_CHECKING:
    from d2lref.viz.architecture import (
        ArchitectureDiagram,
        architecture_diagram,
        compare_architectures,
    )
    from d2lref.viz.layers import LayerRow, describe_layer, layer_summary, print_layer_shapes
