"""d2lref.data: synthetic data, Fashion-MNIST and the Kaggle house prices, checked, and
downloaded when missing (one download path: :mod:`d2lref.data.hub`).

Public names are listed in ``__all__`` and re-exported by ``d2lref.torch``, including the
original d2l's ``DATA_HUB``, ``DATA_URL``, ``download``, ``download_extract`` and
``download_all``.
"""

from typing import TYPE_CHECKING

from d2lref._lazy import lazy_package

__all__ = [
    "DATA_HUB",
    "DATA_URL",
    "FASHION_MNIST_FILES",
    "FASHION_MNIST_LABELS",
    "KAGGLE_HOUSE_FILES",
    "ChecksumMismatchError",
    "DataError",
    "DataNotFoundError",
    "DownloadError",
    "FashionMNISTBatches",
    "data_iter",
    "download",
    "download_all",
    "download_extract",
    "fashion_mnist_folder",
    "get_dataloader_workers",
    "get_fashion_mnist_labels",
    "load_array",
    "load_data_fashion_mnist",
    "load_kaggle_house",
    "preprocess_house_features",
    "quick_subset_indices",
    "show_images",
    "synthetic_data",
]

# Each name is imported from its module on first use (see d2lref._lazy): a program imports
# only the modules it uses.
lazy_package(__name__, __file__)

if TYPE_CHECKING:
    from d2lref.data.errors import (
        ChecksumMismatchError,
        DataError,
        DataNotFoundError,
        DownloadError,
    )
    from d2lref.data.fashion_mnist import (
        FASHION_MNIST_FILES,
        FASHION_MNIST_LABELS,
        FashionMNISTBatches,
        fashion_mnist_folder,
        get_dataloader_workers,
        get_fashion_mnist_labels,
        load_data_fashion_mnist,
        quick_subset_indices,
    )
    from d2lref.data.hub import DATA_HUB, DATA_URL, download, download_all, download_extract
    from d2lref.data.kaggle_house import (
        KAGGLE_HOUSE_FILES,
        load_kaggle_house,
        preprocess_house_features,
    )
    from d2lref.data.synthetic import data_iter, load_array, synthetic_data
    from d2lref.plotting import show_images
