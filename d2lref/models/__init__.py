"""d2lref.models (public names are listed in __all__ and re-exported by d2lref.torch)."""

from typing import TYPE_CHECKING

from d2lref._lazy import lazy_package

__all__: list[str] = [
    "lenet",
    "alexnet",
    "BatchNorm", "batch_norm", "lenet_bn", "lenet_bn_scratch",
    "DenseBlock", "conv_block", "densenet", "transition_block",
    "Inception", "googlenet",
    "nin", "nin_block",
    "Residual", "resnet18", "resnet_block",
    "VGG11_ARCH", "vgg", "vgg11_narrow", "vgg_block",
]

# Each name is imported from its module on first use (see d2lref._lazy): a program imports
# only the modules it uses.
lazy_package(__name__, __file__)

if TYPE_CHECKING:
    from d2lref.models.alexnet import alexnet
    from d2lref.models.batchnorm import BatchNorm, batch_norm, lenet_bn, lenet_bn_scratch
    from d2lref.models.densenet import (
        DenseBlock,
        conv_block,
        densenet,
        transition_block,
    )
    from d2lref.models.googlenet import Inception, googlenet
    from d2lref.models.lenet import lenet
    from d2lref.models.nin import nin, nin_block
    from d2lref.models.resnet import Residual, resnet18, resnet_block
    from d2lref.models.vgg import VGG11_ARCH, vgg, vgg11_narrow, vgg_block
