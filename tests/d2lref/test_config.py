"""config: run mode, data root, download switch, seeds and the quick-mode policy."""

from __future__ import annotations

import pathlib
import random
import sys

import numpy as np
import pytest
import torch

from d2lref import config


def test_mode_defaults_to_full(monkeypatch):
    monkeypatch.delenv("D2LREF_MODE", raising=False)
    assert config.get_mode() == "full"


@pytest.mark.parametrize("value, expected", [("quick", "quick"), ("FULL", "full"),
                                             (" quick ", "quick")])
def test_mode_from_environment(monkeypatch, value, expected):
    monkeypatch.setenv("D2LREF_MODE", value)
    assert config.get_mode() == expected


def test_bad_mode_names_the_allowed_values(monkeypatch):
    monkeypatch.setenv("D2LREF_MODE", "fast")
    with pytest.raises(ValueError, match="'fast'.*quick, full"):
        config.get_mode()


def test_data_root_order(monkeypatch, tmp_path):
    monkeypatch.setenv("D2LREF_DATA", str(tmp_path / "env"))
    assert config.data_root(tmp_path / "arg") == tmp_path / "arg"
    assert config.data_root() == tmp_path / "env"


@pytest.mark.skipif(sys.platform != "linux", reason="checks the Linux cache location")
def test_data_root_falls_back_to_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("D2LREF_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert config.data_root() == tmp_path / "d2lref" / "data"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert config.data_root() == pathlib.Path(tmp_path / "home" / ".cache" / "d2lref" / "data")


@pytest.fixture
def online_defaults(monkeypatch):
    """No download switch set (the suite itself runs with D2LREF_OFFLINE=1)."""
    for variable in ("D2LREF_OFFLINE", "D2LREF_ALLOW_DOWNLOAD"):
        monkeypatch.delenv(variable, raising=False)


@pytest.mark.parametrize("value, allowed", [("1", True), ("0", False), ("", True),
                                            ("no", False), ("yes", True)])
def test_downloads_allowed(monkeypatch, online_defaults, value, allowed):
    monkeypatch.setenv("D2LREF_ALLOW_DOWNLOAD", value)
    assert config.downloads_allowed() is allowed


def test_downloads_on_by_default_like_the_original(online_defaults):
    assert config.downloads_allowed() is True
    assert config.downloads_off_reason() is None


def test_the_suite_is_offline():
    import os

    assert os.environ["D2LREF_OFFLINE"] == "1"  # set by tests/conftest.py
    assert config.downloads_allowed() is False


def test_offline_wins_over_everything(monkeypatch, online_defaults):
    monkeypatch.setenv("D2LREF_OFFLINE", "1")
    monkeypatch.setenv("D2LREF_ALLOW_DOWNLOAD", "1")
    assert config.downloads_off_reason(True) == "D2LREF_OFFLINE=1 is set"
    assert "unset D2LREF_OFFLINE" in config.how_to_allow_downloads("D2LREF_OFFLINE=1 is set")


def test_download_argument_beats_allow_download(monkeypatch, online_defaults):
    monkeypatch.setenv("D2LREF_ALLOW_DOWNLOAD", "0")
    assert config.downloads_off_reason() == "D2LREF_ALLOW_DOWNLOAD=0 is set"
    assert config.downloads_allowed(True) is True
    monkeypatch.delenv("D2LREF_ALLOW_DOWNLOAD")
    assert config.downloads_off_reason(False) == "download=False was passed"


def test_mirror_url_gets_a_trailing_slash(monkeypatch):
    monkeypatch.setenv("D2LREF_DATA_URL", "http://127.0.0.1:8000/d2l")
    assert config.data_mirror_url() == "http://127.0.0.1:8000/d2l/"
    monkeypatch.setenv("D2LREF_DATA_URL", " ")
    assert config.data_mirror_url() is None


def test_set_seed_repeats_every_generator():
    config.set_seed(123)
    first = (random.random(), np.random.rand(), torch.rand(3))
    config.set_seed(123)
    second = (random.random(), np.random.rand(), torch.rand(3))
    assert first[0] == second[0] and first[1] == second[1]
    assert torch.equal(first[2], second[2])
    config.set_seed(124)
    assert not torch.equal(torch.rand(3), first[2])


def test_effective_epochs(monkeypatch):
    monkeypatch.setenv("D2LREF_MODE", "quick")
    assert [config.effective_epochs(n) for n in (1, 2, 10)] == [1, 2, 2]
    monkeypatch.setenv("D2LREF_MODE", "full")
    assert config.effective_epochs(10) == 10
    with pytest.raises(ValueError, match="positive int"):
        config.effective_epochs(0)


def test_quick_subset_sizes_shrink_with_image_size():
    assert config.quick_subset_size(True, None) == 2048
    assert config.quick_subset_size(False, None) == 1024
    assert config.quick_subset_size(True, 64) < config.quick_subset_size(True, None)
    assert config.quick_subset_size(True, 224) < config.quick_subset_size(True, 64)
    for resize in (None, 32, 64, 96, 224):
        train = config.quick_subset_size(True, resize)
        test = config.quick_subset_size(False, resize)
        assert train >= test >= 64 and train % 128 == 0
