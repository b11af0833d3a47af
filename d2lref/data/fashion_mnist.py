"""Fashion-MNIST: checked loading (downloaded when missing) and fast minibatches.

``load_data_fashion_mnist`` keeps the book's signature and returns ``(train_iter, test_iter)``.
By default (``fast=True``) batches are cut directly from the decoded ``uint8`` tensors and
resized as a whole batch with ``interpolate``, instead of turning every image into a PIL image
and back (the book's path, still available with ``fast=False``).
"""

from __future__ import annotations

import copy
import gzip
import math
import operator
import os
import pathlib
import shutil
import sys
import threading
import zlib
from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

import numpy as np
import torch
import torchvision
from torch.nn import functional as F
from torch.utils import data
from torchvision import transforms

from d2lref import config
from d2lref.data._checksums import file_digest, verify_file
from d2lref.data.errors import ChecksumMismatchError, DataError
from d2lref.data.remote import RemoteFile, fetch_files
from d2lref.data.staging import target_lock, temporary_next_to

__all__ = [
    "FASHION_MNIST_FILES",
    "FASHION_MNIST_LABELS",
    "FashionMNISTBatches",
    "fashion_mnist_folder",
    "fetch_fashion_mnist",
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

FASHION_MNIST_GZ_FILES = {
    # MD5 of the published gzip'd files (the same values torchvision checks).
    "train-images-idx3-ubyte": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte": "bb300cfdad3c16e7a12a480ee83cd310",
}

FASHION_MNIST_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
"""Where Zalando publishes the four ``.gz`` files (torchvision's download source)."""

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


def _gz_is_good(gz: pathlib.Path, name: str) -> bool:
    return gz.is_file() and file_digest(gz, "md5") == FASHION_MNIST_GZ_FILES[name]


def _decompress(gz: pathlib.Path, target: pathlib.Path) -> None:
    """Decompress a checked ``.gz`` next to itself: temporary file, MD5 check, rename."""
    with target_lock(target, "Fashion-MNIST"), \
            temporary_next_to(target, "Fashion-MNIST") as part:
        if target.is_file():
            return  # another process decompressed it while this one waited
        try:
            with gzip.open(gz, "rb") as source, open(part, "wb") as sink:
                shutil.copyfileobj(source, sink, 1 << 20)
        except (OSError, EOFError, zlib.error) as error:
            if isinstance(error, OSError) and not isinstance(error, gzip.BadGzipFile) \
                    and error.errno is not None:
                raise DataError(f"Fashion-MNIST: cannot decompress {gz} into {part.parent} "
                                f"({error}).") from error
            raise ChecksumMismatchError(
                f"Fashion-MNIST: {gz} is damaged ({error}). Fix: delete it and run again "
                "(it is downloaded again), or put an intact copy there.") from error
        verify_file(part, FASHION_MNIST_FILES[target.name], "md5", "Fashion-MNIST")
        os.replace(part, target)


def fetch_fashion_mnist(
    root: str | os.PathLike[str] | None = None, *, download: bool | None = None,
) -> None:
    """Make the four IDX files present and verified, downloading what is missing if allowed.

    A missing IDX file comes from its ``.gz`` next to it, downloaded first when that is
    missing or damaged too. A present but damaged IDX file is an error (never overwritten).
    When files cannot be had, one error lists every one of them (see
    :func:`d2lref.data.remote.fetch_files`).
    """
    folder = fashion_mnist_folder(root)
    missing = [name for name in FASHION_MNIST_FILES if not (folder / name).is_file()]
    for name in FASHION_MNIST_FILES:
        if name not in missing:
            verify_file(folder / name, FASHION_MNIST_FILES[name], "md5", "Fashion-MNIST")
    fetch_files("Fashion-MNIST", [
        RemoteFile(folder / f"{name}.gz", f"{FASHION_MNIST_URL}{name}.gz",
                   FASHION_MNIST_GZ_FILES[name], "md5", f"FashionMNIST/raw/{name}.gz")
        for name in missing if not _gz_is_good(folder / f"{name}.gz", name)
    ], download=download, copy_note=" (or the uncompressed IDX files, named without .gz)")
    for name in missing:
        _decompress(folder / f"{name}.gz", folder / name)


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

    ``X`` is float32 in [0, 1] shaped ``(B, 1, H, W)`` (resized as a whole batch with
    bilinear, antialiased interpolation), ``y`` is int64. ``len()`` is the number of
    batches; with ``shuffle`` each epoch (each ``iter()``) draws a new order from a
    seeded generator.
    """

    def __init__(
        self,
        images: torch.Tensor,
        labels: torch.Tensor,
        batch_size: int,
        *,
        shuffle: bool,
        resize: int | tuple[int, int] | None = None,
        device: torch.device | None = None,
        seed: int | None = None,
        dataset: data.Dataset | None = None,
        quick_subset: dict[str, Any] | None = None,
    ) -> None:
        if images.dtype != torch.uint8 or images.dim() != 3:
            raise ValueError(
                f"images must be a uint8 tensor (N, H, W), got {images.dtype} "
                f"{tuple(images.shape)}."
            )
        if len(images) != len(labels):
            raise ValueError(f"{len(images)} images but {len(labels)} labels.")
        self.device = torch.device(device) if device is not None else images.device
        self.images = images.to(self.device)
        self.labels = labels.to(self.device, torch.int64)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.resize = resize
        self.dataset = dataset
        self.quick_subset = quick_subset  # quick mode: {split, kept, total} or None
        if seed is None:
            # Like DataLoader: the order follows torch's global seed (set_seed makes it
            # fixed).
            seed = int(torch.randint(0, 2**62, (), dtype=torch.int64))
        self.seed = seed
        self._generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return math.ceil(len(self.images) / self.batch_size)

    def _to_float(self, images: torch.Tensor) -> torch.Tensor:
        batch = images.unsqueeze(1).to(torch.float32).div_(255)
        size = _resize_shape(self.resize)
        if size is not None and tuple(batch.shape[-2:]) != size:
            try:
                batch = F.interpolate(
                    batch,
                    size=size,
                    mode="bilinear",
                    align_corners=False,
                    antialias=True,
                )
            except (NotImplementedError, RuntimeError):
                # Some backends (older MPS builds) lack antialiased resizing: do it on
                # the CPU.
                batch = F.interpolate(
                    batch.cpu(),
                    size=size,
                    mode="bilinear",
                    align_corners=False,
                    antialias=True,
                ).to(self.device)
            batch.clamp_(0, 1)  # rounding may overshoot [0, 1] by an ulp
        return batch

    def to_device(self, device: torch.device | str) -> FashionMNISTBatches:
        """The same batches made on ``device`` (resize included), e.g. the training GPU.

        The copy shares the shuffle generator: iterating it continues the same sequence
        of epoch orders as iterating ``self`` would.
        """
        moved = copy.copy(self)
        moved.device = torch.device(device)
        moved.images = self.images.to(moved.device)
        moved.labels = self.labels.to(moved.device)
        return moved

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        if self.quick_subset is not None:
            config.note_quick_mode("subset", **self.quick_subset)
        count = len(self.images)
        if self.shuffle:
            order = torch.randperm(count, generator=self._generator).to(self.device)
        else:
            order = torch.arange(count, device=self.device)
        for start in range(0, count, self.batch_size):
            index = order[start : start + self.batch_size]
            yield self._to_float(self.images[index]), self.labels[index]


def _positive_int(value: Any, name: str, example: str) -> int:
    """``value`` as an int >= 1; NumPy and other integer types count, bools do not."""
    try:
        number = operator.index(value) if not isinstance(value, bool) else None
    except TypeError:
        number = None
    if number is None or number < 1:
        raise ValueError(f"{name} must be a positive int (e.g. {example}), got {value!r} "
                         f"of type {type(value).__name__}.")
    return int(number)


def _check_resize(resize: object) -> int | tuple[int, int] | None:
    """``None`` (also for 0, as the original's ``if resize:``), an int, or ``(height, width)``.

    A 1-tuple ``(n,)`` means ``n``, as for torchvision's ``Resize`` (the images are square).
    """
    if resize is None or (not isinstance(resize, bool) and isinstance(resize, int | np.integer)
                          and resize == 0):
        return None
    if isinstance(resize, tuple | list) and len(resize) == 2:
        return (_positive_int(resize[0], "resize height", "224"),
                _positive_int(resize[1], "resize width", "224"))
    if isinstance(resize, tuple | list) and len(resize) == 1:
        return _positive_int(resize[0], "resize", "224")
    try:
        return _positive_int(resize, "resize", "224")
    except ValueError:
        raise ValueError(f"resize must be None, a positive int (e.g. 224), a pair "
                         f"(height, width) or (size,), got {resize!r} of type "
                         f"{type(resize).__name__}.") from None


def _resize_shape(resize: int | tuple[int, int] | None) -> tuple[int, int] | None:
    return (resize, resize) if isinstance(resize, int) else resize


def _book_transform(resize: int | tuple[int, int] | None) -> transforms.Compose:
    trans: list = [transforms.ToTensor()]
    if resize:
        trans.insert(0, transforms.Resize(resize))
    return transforms.Compose(trans)


class _QuickSubsetLoader(data.DataLoader):
    """A ``DataLoader`` over a quick-mode subset that says so on each pass (to the runner)."""

    def __init__(self, quick_subset: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.quick_subset = quick_subset

    def __iter__(self) -> Any:
        config.note_quick_mode("subset", **self.quick_subset)
        return super().__iter__()


def load_data_fashion_mnist(
    batch_size: int,
    resize: int | tuple[int, int] | None = None,
    root: str | os.PathLike[str] | None = None,
    *,
    device: torch.device | str | None = None,
    download: bool | None = None,
    fast: bool = True,
    seed: int | None = None,
) -> tuple[Iterable, Iterable]:
    """Load Fashion-MNIST and return ``(train_iter, test_iter)`` (the book's helper).

    Data root: ``root``, else ``D2LREF_DATA``, else the user cache; the four uncompressed IDX
    files must be in ``<root>/FashionMNIST/raw`` and are checked by MD5. Missing files are
    downloaded (the ``.gz`` files, checked, then decompressed) unless downloads are off:
    ``D2LREF_OFFLINE=1`` (the tests), ``download=False`` or ``D2LREF_ALLOW_DOWNLOAD=0``.
    In quick mode both splits are a fixed class-balanced subset (see
    ``config.quick_subset_size``). ``batch_size`` and ``resize`` accept NumPy integers;
    ``resize`` may also be ``(height, width)`` or ``(size,)``, and 0 means no resizing, as in
    the original.

    ``fast=True`` (default) gives :class:`FashionMNISTBatches`; ``device`` keeps the decoded
    images on that device (e.g. the GPU) so batches are made there. ``fast=False`` gives the
    book's ``ToTensor``/``Resize`` transforms and ``DataLoader`` (``device`` is then ignored).
    """
    batch_size = _positive_int(batch_size, "batch_size", "256")
    resize = _check_resize(resize)
    data_root = config.data_root(root)
    fetch_fashion_mnist(data_root, download=download)
    quick = config.get_mode() == "quick"

    iterators: list[Iterable] = []
    for train in (True, False):
        decoded = _decoded_dataset(data_root, train)
        dataset = copy.copy(decoded)  # shares the decoded tensors; own transform
        dataset.transform = _book_transform(resize)
        indices, subset = None, None
        if quick:
            shape = _resize_shape(resize)
            size = config.quick_subset_size(train, None if shape is None else max(shape))
            indices = quick_subset_indices(decoded.targets, size)
            dataset = data.Subset(dataset, indices.tolist())
            subset = {"split": "train" if train else "test", "kept": len(indices),
                      "total": len(decoded.targets)}
            config.note_quick_mode("subset", **subset)
        if fast:
            images, labels = decoded.data, decoded.targets
            if indices is not None:
                images, labels = images[indices], labels[indices]
            iterators.append(FashionMNISTBatches(
                images, labels, batch_size, shuffle=train, resize=resize,
                device=torch.device(device) if device is not None else None,
                seed=None if seed is None else seed + (0 if train else 1), dataset=dataset,
                quick_subset=subset))
        else:
            loader = data.DataLoader if subset is None else partial(_QuickSubsetLoader, subset)
            iterators.append(loader(dataset, batch_size, shuffle=train,
                                    num_workers=get_dataloader_workers()))
    return iterators[0], iterators[1]
