"""d2lref.models (public names are listed in __all__ and re-exported by d2lref.torch)."""

__all__: list[str] = []

from d2lref.models.lenet import lenet  # noqa: E402

__all__ += ["lenet"]

from d2lref.models.alexnet import alexnet  # noqa: E402
from d2lref.models.batchnorm import BatchNorm, batch_norm, lenet_bn, lenet_bn_scratch  # noqa: E402
from d2lref.models.densenet import (  # noqa: E402
    DenseBlock,
    conv_block,
    densenet,
    transition_block,
)
from d2lref.models.googlenet import Inception, googlenet  # noqa: E402
from d2lref.models.nin import nin, nin_block  # noqa: E402
from d2lref.models.resnet import Residual, resnet18, resnet_block  # noqa: E402
from d2lref.models.vgg import VGG11_ARCH, vgg, vgg11_narrow, vgg_block  # noqa: E402

__all__ += [
    "alexnet",
    "BatchNorm", "batch_norm", "lenet_bn", "lenet_bn_scratch",
    "DenseBlock", "conv_block", "densenet", "transition_block",
    "Inception", "googlenet",
    "nin", "nin_block",
    "Residual", "resnet18", "resnet_block",
    "VGG11_ARCH", "vgg", "vgg11_narrow", "vgg_block",
]
