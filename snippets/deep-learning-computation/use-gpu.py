# %% imports
import time

import torch
from torch import nn

from d2lref import torch as d2l

# %% devices
# torch.device names where a tensor lives: the CPU, or the i-th CUDA GPU.
torch.device("cpu"), torch.device("cuda"), torch.device("cuda:1")

# %% device-count
torch.cuda.device_count()

# %% try-gpu-teaching
def try_gpu(i=0):
    """Teaching version: GPU i if it exists, else the CPU (d2l.try_gpu: also MPS)."""
    if torch.cuda.device_count() >= i + 1:
        return torch.device(f"cuda:{i}")
    return torch.device("cpu")


def try_all_gpus():
    """Teaching version: all GPUs, or [cpu] if there is none."""
    devices = [torch.device(f"cuda:{i}") for i in range(torch.cuda.device_count())]
    return devices if devices else [torch.device("cpu")]

# %% try-gpu
# try_gpu(i) returns GPU i if it exists and the CPU otherwise; try_all_gpus returns all
# GPUs (or [cpu]), so the same code runs on machines with 0, 1 or many GPUs.
d2l.try_gpu(), d2l.try_gpu(10), d2l.try_all_gpus()

# %% tensor-device
x = torch.tensor([1, 2, 3])
x.device  # tensors are created on the CPU by default

# %% create-on-device
X = torch.ones(2, 3, device=d2l.try_gpu())
X

# %% second-device
# The notes' X.cuda(1) needs a second GPU. try_gpu(1) gives GPU 1 when there is one and
# the CPU otherwise, so this cell runs everywhere; on two GPUs it is exactly X.cuda(1).
second = d2l.try_gpu(1)
Y = torch.rand(2, 3, device=second)
Z = X.to(second)  # copy X to the device of Y
assert Z.device == Y.device
print(X.device, "->", Z.device)
Y + Z  # operands on the same device: fine

# %% different-devices
# Operands on two different devices are an error, not a silent copy.
if X.device != Y.device:
    try:
        X + Y
    except RuntimeError as error:
        print("error:", str(error).splitlines()[0])
else:
    print(
        "X and Y share", X.device, "- with two devices X + Y would raise a RuntimeError"
    )

# %% to-same-device
# .to(device) on a tensor already there returns the tensor itself: no copy is made.
assert Z.to(second) is Z

# %% model-on-device
net = nn.Sequential(nn.Linear(3, 1))
net = net.to(device=d2l.try_gpu())
out = net(X)  # the input must live where the parameters live
assert out.device == X.device
net[0].weight.data.device


# %% item-cost
def seconds(fn, repeat=3):
    """Best wall-clock time of fn() over a few runs (the first run can include warm-up).
    """
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return best


device = d2l.try_gpu()
values = torch.rand(10_000, device=device)
# Reading results one .item() at a time: each call is a separate device-to-host read (on
# a GPU it also waits for all queued work). One .tolist() reads everything in one go.
one_by_one = seconds(lambda: [values[i].item() for i in range(len(values))])
batched = seconds(lambda: values.tolist())
# same numbers either way
assert values.tolist()[:3] == [values[i].item() for i in range(3)]
print(f"{len(values)} x .item(): {one_by_one * 1e3:.2f} ms")
print(
    f"one .tolist():     {batched * 1e3:.2f} ms  ({one_by_one / batched:.0f}x faster)"
)

# %% copy-vs-compute
# Host <-> device copies against computing on the device (only meaningful with a GPU).
if device.type == "cuda":
    A_host = torch.rand(4096, 4096)  # 64 MiB of float32
    A = A_host.to(device)
    to_device = seconds(lambda: A_host.to(device))
    to_host = seconds(lambda: A.cpu())
    matmul = seconds(lambda: A @ A)  # 2 * 4096^3 ≈ 137 GFLOP
    print(
        f"host -> {device}: {to_device * 1e3:.1f} ms, {device} -> host: "
        f"{to_host * 1e3:.1f} ms"
    )
    print(f"4096x4096 matmul on {device}: {matmul * 1e3:.1f} ms")
else:
    print(f"no CUDA GPU (computing on {device}): copies are not measured on this run")

# %% [markdown]
# Exercises: answers

# %% exercise-1
# Module.to changes the module in place and returns it; Tensor.to returns a new tensor
# when anything changes (device or dtype) and the same tensor when nothing does.
torch.manual_seed(0)
layer = nn.Linear(3, 1)
assert layer.to(torch.float64) is layer  # same module object...
assert layer.weight.dtype == torch.float64  # ...whose parameters were converted
t = torch.ones(3)
assert t.to(torch.float64) is not t and t.to(torch.float32) is t
layer.weight.dtype, t.to(torch.float64) is t, t.to(torch.float32) is t


# %% exercise-2
def mean_loss_slow(losses):
    """The bug: .item() reads one number back per step (a sync each on a GPU)."""
    total = 0.0
    for loss in losses:
        total += loss.item()
    return total / len(losses)


def mean_loss(losses):
    """The fix: add up on the device and read back once at the end."""
    total = torch.zeros((), device=losses[0].device)
    for loss in losses:
        total += loss.detach()
    return (total / len(losses)).item()


torch.manual_seed(0)
# drawn on the CPU: same numbers anywhere
losses = list(torch.rand(100).to(d2l.try_gpu()))
assert abs(mean_loss(losses) - mean_loss_slow(losses)) < 1e-5
round(mean_loss(losses), 4)

# %% exercise-3
# The per-call overhead on the CPU alone: 1000 x .item() against one .tolist().
cpu_values = torch.rand(1000)
item_time = seconds(lambda: [cpu_values[i].item() for i in range(len(cpu_values))])
tolist_time = seconds(lambda: cpu_values.tolist())
ratio = item_time / tolist_time
assert ratio > 2  # a measurement: the exact ratio depends on the machine
print(
    f"1000 x .item(): {item_time * 1e6:.0f} us, "
    f"one .tolist(): {tolist_time * 1e6:.0f} us"
)
