"""train_ch6's CUDA speed settings: TF32 products and cuDNN autotuning, recorded with results."""

from __future__ import annotations

import pytest
import torch

from d2lref.training import loops


@pytest.fixture
def restored_backend_flags():
    saved = (torch.get_float32_matmul_precision(), torch.backends.cudnn.benchmark,
             torch.backends.cudnn.allow_tf32)
    yield
    torch.set_float32_matmul_precision(saved[0])
    torch.backends.cudnn.benchmark, torch.backends.cudnn.allow_tf32 = saved[1], saved[2]


def test_fast_cuda_math_turns_on_tf32_and_autotuning(restored_backend_flags):
    torch.set_float32_matmul_precision("highest")
    torch.backends.cudnn.allow_tf32 = False
    settings = loops._fast_cuda_math()
    assert settings == {"cudnn_benchmark": True, "tf32_conv": True, "tf32_matmul": True}
    assert torch.get_float32_matmul_precision() == "high"
    assert torch.backends.cuda.matmul.allow_tf32 and torch.backends.cudnn.allow_tf32
    assert torch.backends.cudnn.benchmark


def test_fast_cuda_math_reads_back_after_the_newer_tf32_api(restored_backend_flags):
    conv = getattr(torch.backends.cudnn, "conv", None)
    if conv is None or not hasattr(conv, "fp32_precision"):
        pytest.skip("this PyTorch has only the legacy TF32 flags")
    conv.fp32_precision = "ieee"  # a reader switched TF32 off with the newer API
    loops._fast_cuda_math()
    assert torch.backends.cudnn.allow_tf32 and torch.backends.cuda.matmul.allow_tf32


def test_cpu_training_records_no_cuda_settings(quick_mode):
    torch.manual_seed(0)
    X = torch.rand(64, 1, 8, 8)
    y = torch.randint(0, 3, (64,))
    batches = [(X[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16)]
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 3))
    result = loops.train_ch6(net, batches, batches, 1, 0.1, "cpu")
    assert result.cuda_settings == {}
    assert result.as_dict()["cuda_settings"] == {}
