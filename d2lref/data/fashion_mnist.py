"""Fashion-MNIST: checked, offline-first loading and fast minibatches from the decoded tensors.

``load_data_fashion_mnist`` keeps the book's signature and returns ``(train_iter, test_iter)``.
By default (``fast=True``) batches are cut directly from the decoded ``uint8`` tensors and
resized as a whole batch with ``interpolate``, instead of turning every image into a PIL image
and back (the book's path, still available with ``fast=False``).
"""

from __future__ import annotations

import copy
import math
import os
import pathlib
import sys
import threading
from collections.abc import Iterable, Iterator

import torch
import torchvision
from torch.nn import functional as F
from torch.utils import data
from torchvision import transforms

from d2lref import config
from d2lref.data._checksums import verify_file
from d2lref.data.errors import DataNotFoundError

__all__ = [
    "FASHION_MNIST_FILES",
    "FASHION_MNIST_LABELS",
    "FashionMNISTBatches",
    "fashion_mnist_folder",
    "get_dataloader_workers",
    "get_fashion_mnist_labels",
    "load_data_fashion_mnist",
    "quick_subset_indices",
]

FASHION_MNIST_FILES = {
    # MD5 of the uncompressed IDX files of the official release (what torchvision reads).
    "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
}

FASHION_MNIST_LABELS = (
    "t-shirt", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "ankle boot",
)
"""The book's text labels of the 10 classes, indexed by the numeric label."""

NUM_CLASSES = len(FASHION_MNIST_LABELS)


def get_fashion_mnist_labels(labels: Iterable[int] | torch.Tensor) -> list[str]:
    """Return the text labels of numeric Fashion-MNIST labels (0..9)."""
    if isinstance(labels, torch.Tensor):
        labels = labels.reshape(-1).tolist()
    names = []
    for label in labels:
        index = int(label)
        if not 0 <= index < NUM_CLASSES:
            raise ValueError(f"Fashion-MNIST labels are 0..9, got {label!r}.")
        names.append(FASHION_MNIST_LABELS[index])
    return names


def get_dataloader_workers() -> int:
    """Worker processes for the plain ``DataLoader`` path.

    0 (load in the main process) on Windows and macOS, where workers are started with
    ``spawn``: each one re-imports the notebook's or script's ``__main__``, which fails for
    code typed into Jupyter and costs seconds at every epoch. On Linux (``fork``) one core is
    left to the training process and at most 4 workers are used (more gain nothing for 28x28
    images).
    """
    if sys.platform in ("win32", "darwin"):
        return 0
    cpus = os.cpu_count() or 1
    return max(0, min(4, cpus - 1))


def fashion_mnist_folder(root: str | os.PathLike[str] | None = None) -> pathlib.Path:
    """The folder the four IDX files must be in: ``<data root>/FashionMNIST/raw``."""
    return config.data_root(root) / "FashionMNIST" / "raw"


def _download(root: pathlib.Path) -> None:
    try:
        # torchvision fetches the .gz files (or reuses ones already there) and extracts them.
        torchvision.datasets.FashionMNIST(str(root), train=True, download=True)
        torchvision.datasets.FashionMNIST(str(root), train=False, download=True)
    except Exception as error:  # network errors come in many types
        raise DataNotFoundError(
            f"Fashion-MNIST is missing under {root} and the download failed ({error}). "
            f"Check the network connection, or copy the files there by hand."
        ) from error


def _check_files(root: pathlib.Path, download: bool) -> None:
    folder = root / "FashionMNIST" / "raw"
    missing = [name for name in FASHION_MNIST_FILES if not (folder / name).is_file()]
    if missing and download:
        _download(root)
        missing = [name for name in FASHION_MNIST_FILES if not (folder / name).is_file()]
    if missing:
        gz_only = [name for name in missing if (folder / f"{name}.gz").is_file()]
        hint = (
            f" The compressed copies of {', '.join(gz_only)} are there: decompress them in "
            f"place (gunzip -k {folder}/*.gz)."
            if gz_only
            else ""
        )
        raise DataNotFoundError(
            f"Fashion-MNIST files not found: {', '.join(missing)} must be in the folder "
            f"{folder} (uncompressed IDX files)." + hint + " Fix: copy the files there, or "
            "point the loader at the folder that contains FashionMNIST/raw with the root= "
            "argument or the D2LREF_DATA environment variable, or allow the download with "
            "D2LREF_ALLOW_DOWNLOAD=1 or download=True."
        )
    for name, md5 in FASHION_MNIST_FILES.items():
        verify_file(folder / name, md5, "md5", "Fashion-MNIST")


_decoded: dict[tuple, torchvision.datasets.FashionMNIST] = {}
_decoded_lock = threading.Lock()


def _decoded_dataset(root: pathlib.Path, train: bool) -> torchvision.datasets.FashionMNIST:
    """The torchvision data set with its tensors decoded once per unchanged file."""
    folder = root / "FashionMNIST" / "raw"
    prefix = "train" if train else "t10k"
    stats = [(folder / f"{prefix}-{kind}").stat() for kind in ("images-idx3-ubyte",
                                                               "labels-idx1-ubyte")]
    key = (str(root.resolve()), train, tuple((s.st_size, s.st_mtime_ns) for s in stats))
    with _decoded_lock:
        if key not in _decoded:
            _decoded[key] = torchvision.datasets.FashionMNIST(str(root), train=train,
                                                              download=False)
        return _decoded[key]


def quick_subset_indices(targets: torch.Tensor, size: int) -> torch.Tensor:
    """A fixed class-balanced subset: the first ``size // 10`` (+1 for the first
    ``size % 10`` classes) examples of every class, in file order."""
    per_class, extra = divmod(size, NUM_CLASSES)
    chosen = []
    for label in range(NUM_CLASSES):
        wanted = per_class + (1 if label < extra else 0)
        chosen.append(torch.nonzero(targets == label).reshape(-1)[:wanted])
    return torch.sort(torch.cat(chosen)).values


class FashionMNISTBatches:
    """Minibatches ``(X, y)`` cut from decoded ``uint8`` images.

    ``X`` is float32 in [0, 1] shaped ``(B, 1, H, W)`` (resized as a whole batch with bilinear,
    antialiased interpolation), ``y`` is int64. ``len()`` is the number of batches; with
    ``shuffle`` each epoch (each ``iter()``) draws a new order from a seeded generator.
    """

    def __init__(
        self,
        images: torch.Tensor,
        labels: torch.Tensor,
        batch_size: int,
        *,
        shuffle: bool,
        resize: int | None = None,
        device: torch.device | None = None,
        seed: int | None = None,
        dataset: data.Dataset | None = None,
    ) -> None:
        if images.dtype != torch.uint8 or images.dim() != 3:
            raise ValueError(f"images must be a uint8 tensor (N, H, W), got {images.dtype} "
                             f"{tuple(images.shape)}.")
        if len(images) != len(labels):
            raise ValueError(f"{len(images)} images but {len(labels)} labels.")
        self.device = torch.device(device) if device is not None else images.device
        self.images = images.to(self.device)
        self.labels = labels.to(self.device, torch.int64)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.resize = resize
        self.dataset = dataset
        if seed is None:
            # Like DataLoader: the order follows torch's global seed (set_seed makes it fixed).
            seed = int(torch.randint(0, 2**62, (), dtype=torch.int64))
        self.seed = seed
        self._generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return math.ceil(len(self.images) / self.batch_size)

    def _to_float(self, images: torch.Tensor) -> torch.Tensor:
        batch = images.unsqueeze(1).to(torch.float32).div_(255)
        if self.resize is not None and batch.shape[-1] != self.resize:
            size = (self.resize, self.resize)
            try:
                batch = F.interpolate(batch, size=size, mode="bilinear", align_corners=False,
                                      antialias=True)
            except (NotImplementedError, RuntimeError):
                # Some backends (older MPS builds) lack antialiased resizing: do it on the CPU.
                batch = F.interpolate(batch.cpu(), size=size, mode="bilinear",
                                      align_corners=False, antialias=True).to(self.device)
            batch.clamp_(0, 1)  # rounding may overshoot [0, 1] by an ulp
        return batch

    def to_device(self, device: torch.device | str) -> FashionMNISTBatches:
        """The same batches made on ``device`` (resize included), e.g. the training GPU.

        The copy shares the shuffle generator: iterating it continues the same sequence of
        epoch orders as iterating ``self`` would.
        """
        moved = copy.copy(self)
        moved.device = torch.device(device)
        moved.images = self.images.to(moved.device)
        moved.labels = self.labels.to(moved.device)
        return moved

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        count = len(self.images)
        if self.shuffle:
            order = torch.randperm(count, generator=self._generator).to(self.device)
        else:
            order = torch.arange(count, device=self.device)
        for start in range(0, count, self.batch_size):
            index = order[start : start + self.batch_size]
            yield self._to_float(self.images[index]), self.labels[index]


def _book_transform(resize: int | None) -> transforms.Compose:
    trans: list = [transforms.ToTensor()]
    if resize:
        trans.insert(0, transforms.Resize(resize))
    return transforms.Compose(trans)


def load_data_fashion_mnist(
    batch_size: int,
    resize: int | None = None,
    root: str | os.PathLike[str] | None = None,
    *,
    device: torch.device | str | None = None,
    download: bool | None = None,
    fast: bool = True,
    seed: int | None = None,
) -> tuple[Iterable, Iterable]:
    """Load Fashion-MNIST and return ``(train_iter, test_iter)`` (the book's helper).

    Data root: ``root``, else ``D2LREF_DATA``, else the user cache; the four uncompressed IDX
    files must be in ``<root>/FashionMNIST/raw`` and are checked by MD5. Nothing is downloaded
    unless ``download=True`` or ``D2LREF_ALLOW_DOWNLOAD=1``. In quick mode both splits are a
    fixed class-balanced subset (see ``config.quick_subset_size``).

    ``fast=True`` (default) gives :class:`FashionMNISTBatches`; ``device`` keeps the decoded
    images on that device (e.g. the GPU) so batches are made there. ``fast=False`` gives the
    book's ``ToTensor``/``Resize`` transforms and ``DataLoader`` (``device`` is then ignored).
    """
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}.")
    if resize is not None and (not isinstance(resize, int) or resize < 1):
        raise ValueError(f"resize must be None or a positive int (e.g. 224), got {resize!r}.")
    data_root = config.data_root(root)
    if download is None:
        download = config.downloads_allowed()
    _check_files(data_root, download)
    quick = config.get_mode() == "quick"

    iterators = []
    for train in (True, False):
        decoded = _decoded_dataset(data_root, train)
        dataset = copy.copy(decoded)  # shares the decoded tensors; own transform
        dataset.transform = _book_transform(resize)
        indices = None
        if quick:
            size = config.quick_subset_size(train, resize)
            indices = quick_subset_indices(decoded.targets, size)
            dataset = data.Subset(dataset, indices.tolist())
        if fast:
            images, labels = decoded.data, decoded.targets
            if indices is not None:
                images, labels = images[indices], labels[indices]
            iterators.append(FashionMNISTBatches(
                images, labels, batch_size, shuffle=train, resize=resize,
                device=torch.device(device) if device is not None else None,
                seed=None if seed is None else seed + (0 if train else 1), dataset=dataset))
        else:
            iterators.append(data.DataLoader(dataset, batch_size, shuffle=train,
                                             num_workers=get_dataloader_workers()))
    return iterators[0], iterators[1]
