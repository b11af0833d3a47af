"""d2lref.viz (public names are listed in __all__ and re-exported by d2lref.torch)."""

from d2lref.viz.architecture import (
    ArchitectureDiagram,
    architecture_diagram,
    compare_architectures,
)
from d2lref.viz.layers import LayerRow, describe_layer, layer_summary, print_layer_shapes

__all__: list[str] = [
    "ArchitectureDiagram",
    "LayerRow",
    "architecture_diagram",
    "compare_architectures",
    "describe_layer",
    "layer_summary",
    "print_layer_shapes",
]
