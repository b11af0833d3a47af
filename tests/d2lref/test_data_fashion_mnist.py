"""Fashion-MNIST loading on the real files, and its errors on damaged or missing files."""

from __future__ import annotations

import math
import os
import shutil

import numpy as np
import pytest
import torch
import torchvision
from torch.nn import functional as F

from d2lref import config
from d2lref.data import (
    FASHION_MNIST_FILES,
    ChecksumMismatchError,
    DataError,
    DataNotFoundError,
    FashionMNISTBatches,
    _checksums,
    get_dataloader_workers,
    get_fashion_mnist_labels,
    load_data_fashion_mnist,
    transfer,
)


@pytest.fixture
def full_mode(monkeypatch):
    monkeypatch.setenv("D2LREF_MODE", "full")


def test_full_data_shapes_and_values(fashion_mnist_root, full_mode):
    train_iter, test_iter = load_data_fashion_mnist(256, root=fashion_mnist_root)
    assert len(train_iter.dataset) == 60000 and len(test_iter.dataset) == 10000
    assert len(train_iter) == math.ceil(60000 / 256) and len(test_iter) == math.ceil(10000 / 256)
    X, y = next(iter(train_iter))
    assert X.shape == (256, 1, 28, 28) and X.dtype == torch.float32
    assert y.shape == (256,) and y.dtype == torch.int64
    assert 0 <= y.min() and y.max() <= 9
    assert X.min() >= 0 and X.max() <= 1
    # The first test images in file order: test example 0 is an ankle boot, 1 a pullover.
    _, y_test = next(iter(test_iter))
    assert get_fashion_mnist_labels(y_test[:4]) == ["ankle boot", "pullover", "trouser",
                                                    "trouser"]
    # Pixel mean of the whole training set (data README: 0.286041).
    assert train_iter.images.float().mean().item() / 255 == pytest.approx(0.286041, abs=1e-5)


def test_resize_gives_bilinear_batches(fashion_mnist_root, quick_mode):
    train_iter, test_iter = load_data_fashion_mnist(32, resize=32, root=fashion_mnist_root)
    X, y = next(iter(test_iter))
    assert X.shape == (32, 1, 32, 32) and y.dtype == torch.int64
    assert X.min() >= 0 and X.max() <= 1
    expected = F.interpolate(test_iter.images[:32, None].float() / 255, size=(32, 32),
                             mode="bilinear", antialias=True, align_corners=False)
    assert torch.allclose(X, expected, atol=1e-6)


def test_labels_text():
    assert get_fashion_mnist_labels(torch.tensor([0, 9, 6])) == ["t-shirt", "ankle boot",
                                                                 "shirt"]
    assert len(get_fashion_mnist_labels(range(10))) == 10
    with pytest.raises(ValueError, match="0..9"):
        get_fashion_mnist_labels([10])


def test_quick_subset_is_fixed_and_class_balanced(fashion_mnist_root, quick_mode):
    train_iter, test_iter = load_data_fashion_mnist(256, root=fashion_mnist_root)
    assert len(train_iter.dataset) == config.quick_subset_size(True) == 2048
    assert len(test_iter.dataset) == config.quick_subset_size(False) == 1024
    assert len(train_iter) == 8 and len(test_iter) == 4
    counts = torch.bincount(train_iter.labels, minlength=10)
    assert counts.max() - counts.min() <= 1 and counts.sum() == 2048
    assert torch.bincount(test_iter.labels, minlength=10).tolist() == [103] * 4 + [102] * 6
    again, _ = load_data_fashion_mnist(256, root=fashion_mnist_root)
    assert torch.equal(again.images, train_iter.images)  # the same subset every time


def test_epochs_reshuffle_and_cover_every_example(fashion_mnist_root, quick_mode):
    train_iter, _ = load_data_fashion_mnist(500, root=fashion_mnist_root, seed=7)
    first = torch.cat([y for _, y in train_iter])
    second = torch.cat([y for _, y in train_iter])
    assert len(first) == 2048 and not torch.equal(first, second)
    assert torch.equal(torch.bincount(first), torch.bincount(train_iter.labels))
    replay, _ = load_data_fashion_mnist(500, root=fashion_mnist_root, seed=7)
    assert torch.equal(torch.cat([y for _, y in replay]), first)  # seeded order


def test_fast_path_equals_the_books_plain_path(fashion_mnist_root, quick_mode):
    _, fast_test = load_data_fashion_mnist(100, root=fashion_mnist_root)
    _, plain_test = load_data_fashion_mnist(100, root=fashion_mnist_root, fast=False)
    assert isinstance(plain_test, torch.utils.data.DataLoader)
    assert len(fast_test) == len(plain_test) == 11
    for (X_fast, y_fast), (X_plain, y_plain) in zip(fast_test, plain_test, strict=True):
        assert torch.equal(X_fast, X_plain) and torch.equal(y_fast, y_plain)


def test_dataset_attribute_gives_book_examples(fashion_mnist_root, quick_mode):
    train_iter, _ = load_data_fashion_mnist(64, resize=40, root=fashion_mnist_root)
    image, label = train_iter.dataset[0]
    assert image.shape == (1, 40, 40) and isinstance(label, int)


def test_bad_arguments(fashion_mnist_root):
    with pytest.raises(ValueError, match="batch_size"):
        load_data_fashion_mnist(0, root=fashion_mnist_root)
    with pytest.raises(ValueError, match="resize"):
        load_data_fashion_mnist(8, resize="224", root=fashion_mnist_root)
    # True passes an int check (bool is an int) but is no image size: refused up front.
    with pytest.raises(ValueError, match=r"resize must be None, a positive int.*True.*bool"):
        load_data_fashion_mnist(8, resize=True, root=fashion_mnist_root)
    with pytest.raises(ValueError, match=r"batch_size must be a positive int.*float"):
        load_data_fashion_mnist(256.0, root=fashion_mnist_root)
    with pytest.raises(ValueError, match="batch_size.*bool"):
        load_data_fashion_mnist(True, root=fashion_mnist_root)


def test_numpy_integers_are_accepted_like_the_original(fashion_mnist_root, quick_mode):
    train_iter, test_iter = load_data_fashion_mnist(np.int64(256), resize=np.int32(32),
                                                    root=fashion_mnist_root)
    assert train_iter.batch_size == 256 and type(train_iter.batch_size) is int
    X, _ = next(iter(test_iter))
    assert tuple(X.shape) == (256, 1, 32, 32)
    # resize=0 means no resizing (the original's `if resize:`); a (height, width) pair works.
    _, plain = load_data_fashion_mnist(64, resize=0, root=fashion_mnist_root)
    assert tuple(next(iter(plain))[0].shape) == (64, 1, 28, 28)
    _, pair = load_data_fashion_mnist(64, resize=(32, 40), root=fashion_mnist_root)
    assert tuple(next(iter(pair))[0].shape) == (64, 1, 32, 40)
    _, book = load_data_fashion_mnist(64, resize=(32, 40), root=fashion_mnist_root, fast=False)
    assert tuple(next(iter(book))[0].shape) == (64, 1, 32, 40)


@pytest.mark.parametrize("fast", [True, False])
def test_a_one_tuple_resize_is_a_size_as_in_torchvision(fashion_mnist_root, quick_mode, fast):
    for resize in [(28,), [32], (np.int64(32),)]:
        _, test_iter = load_data_fashion_mnist(64, resize=resize, root=fashion_mnist_root,
                                               fast=fast)
        size = int(resize[0])
        assert tuple(next(iter(test_iter))[0].shape) == (64, 1, size, size)
    _, as_int = load_data_fashion_mnist(64, resize=32, root=fashion_mnist_root, fast=fast)
    _, as_tuple = load_data_fashion_mnist(64, resize=(32,), root=fashion_mnist_root, fast=fast)
    assert torch.equal(next(iter(as_int))[0], next(iter(as_tuple))[0])
    with pytest.raises(ValueError, match=r"resize must be a positive int.*got 0"):
        load_data_fashion_mnist(64, resize=(0,), root=fashion_mnist_root)


def test_batches_on_a_device_keep_tensors_there():
    images = torch.randint(0, 256, (10, 28, 28), dtype=torch.uint8)
    batches = FashionMNISTBatches(images, torch.arange(10), 4, shuffle=False,
                                  device=torch.device("cpu"))
    assert len(batches) == 3
    X, y = next(iter(batches))
    assert torch.equal(X, images[:4, None].float() / 255) and y.dtype == torch.int64


def test_dataloader_workers_is_a_safe_count():
    workers = get_dataloader_workers()
    assert 0 <= workers <= 4
    assert workers <= max(0, (os.cpu_count() or 1) - 1)


@pytest.fixture
def no_download(monkeypatch):
    """Fail the test if anything tries to download (the suite is offline anyway)."""
    def refuse(*args, **kwargs):
        raise AssertionError("a download was attempted")

    monkeypatch.setattr(transfer, "open_url", refuse)
    monkeypatch.setattr(torchvision.datasets.FashionMNIST, "download", refuse)
    monkeypatch.setenv("D2LREF_OFFLINE", "1")


def test_missing_folder_names_files_and_fix(tmp_path, no_download):
    with pytest.raises(DataNotFoundError) as caught:
        load_data_fashion_mnist(256, root=tmp_path)
    message = str(caught.value)
    for name in FASHION_MNIST_FILES:
        assert name in message
    assert str(tmp_path / "FashionMNIST" / "raw") in message
    assert message.splitlines()[0] == (f"Fashion-MNIST: 4 files missing in {tmp_path}/"
                                       "FashionMNIST/raw: downloads are off "
                                       "(D2LREF_OFFLINE=1 is set).")
    assert "unset D2LREF_OFFLINE" in message and "D2LREF_DATA" in message
    assert isinstance(caught.value, DataError)
    assert not (tmp_path / "FashionMNIST").exists()  # nothing was written either


def test_download_false_is_named_in_the_fix(tmp_path, no_download, monkeypatch):
    monkeypatch.setenv("D2LREF_OFFLINE", "0")
    with pytest.raises(DataNotFoundError, match=r"(?s)download=False.*pass download=True"):
        load_data_fashion_mnist(256, root=tmp_path, download=False)


def test_gz_files_alone_are_decompressed_without_network(fashion_mnist_root, tmp_path,
                                                         no_download, quick_mode):
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in FASHION_MNIST_FILES:
        (raw / f"{name}.gz").symlink_to(fashion_mnist_root / "FashionMNIST" / "raw"
                                        / f"{name}.gz")
    train_iter, _ = load_data_fashion_mnist(256, root=tmp_path)
    assert len(train_iter.dataset) == 2048
    for name, md5 in FASHION_MNIST_FILES.items():
        assert _checksums.file_digest(raw / name, "md5") == md5
    assert sorted(p.name for p in raw.iterdir() if p.name.startswith(".")) == []


def test_corrupted_file_fails_the_checksum(fashion_mnist_root, tmp_path, no_download):
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in FASHION_MNIST_FILES:
        source = fashion_mnist_root / "FashionMNIST" / "raw" / name
        if name == "t10k-labels-idx1-ubyte":
            data = bytearray(source.read_bytes())
            data[100] ^= 0xFF  # one flipped label byte
            (raw / name).write_bytes(bytes(data))
        else:
            (raw / name).symlink_to(source)
    with pytest.raises(ChecksumMismatchError) as caught:
        load_data_fashion_mnist(256, root=tmp_path)
    message = str(caught.value)
    assert "t10k-labels-idx1-ubyte" in message
    assert FASHION_MNIST_FILES["t10k-labels-idx1-ubyte"] in message  # expected
    assert _checksums.file_digest(raw / "t10k-labels-idx1-ubyte", "md5") in message  # actual
    assert "Replace it" in message
    # Restoring the file (new mtime) is noticed despite the checksum cache.
    shutil.copyfile(fashion_mnist_root / "FashionMNIST" / "raw" / "t10k-labels-idx1-ubyte",
                    raw / "t10k-labels-idx1-ubyte")
    load_data_fashion_mnist(256, root=tmp_path)


def test_checksum_is_computed_once_per_file(fashion_mnist_root, monkeypatch):
    path = fashion_mnist_root / "FashionMNIST" / "raw" / "t10k-labels-idx1-ubyte"
    first = _checksums.file_digest(path, "md5")
    monkeypatch.setattr(_checksums.hashlib, "new", lambda name: pytest.fail("hashed again"))
    assert _checksums.file_digest(path, "md5") == first
