"""devices: accelerator choice and human-readable names."""

from __future__ import annotations

import torch

from d2lref import devices


def test_try_gpu_falls_back_to_cpu_for_missing_index():
    assert devices.try_gpu(10_000) == torch.device("cpu")


def test_try_gpu_matches_what_exists():
    if torch.cuda.is_available():
        assert devices.try_gpu() == torch.device("cuda:0")
    elif devices.num_gpus():
        assert devices.try_gpu() == torch.device("mps")
    else:
        assert devices.try_gpu() == torch.device("cpu")


def test_try_all_gpus_lists_every_accelerator_or_cpu():
    found = devices.try_all_gpus()
    if devices.num_gpus() == 0:
        assert found == [torch.device("cpu")]
    else:
        assert len(found) == devices.num_gpus()
        assert all(device.type in ("cuda", "mps") for device in found)


def test_no_cuda_means_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(devices, "_mps_available", lambda: False)
    assert devices.try_gpu() == torch.device("cpu")
    assert devices.try_all_gpus() == [torch.device("cpu")]
    assert devices.num_gpus() == 0


def test_mps_is_used_without_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(devices, "_mps_available", lambda: True)
    assert devices.try_gpu() == torch.device("mps")
    assert devices.try_gpu(1) == torch.device("cpu")
    assert devices.try_all_gpus() == [torch.device("mps")]
    assert devices.device_name("mps") == "Apple MPS"


def test_device_names():
    cpu_name = devices.device_name("cpu")
    assert isinstance(cpu_name, str) and cpu_name and cpu_name != "cpu"
    if torch.cuda.is_available():
        assert devices.device_name(0) == torch.cuda.get_device_name(0)
