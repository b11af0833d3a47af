# %% imports
import torch

from d2lref import torch as d2l

# %% check-torch
# A 5x3 tensor of uniform random numbers: if this prints, PyTorch is installed.
print(torch.__version__)
x = torch.rand(5, 3)
print(x)
assert x.shape == (5, 3)

# %% check-accelerators
# False on a machine without an NVIDIA GPU (or with a
# CPU-only build): the book still runs.
print("CUDA available:", torch.cuda.is_available())
# Apple silicon GPUs (M1 and later) are reached through the MPS backend.
print("MPS available:", torch.backends.mps.is_available())
# d2lref picks CUDA, then Apple MPS, then the CPU.
print("d2l.try_gpu():", d2l.try_gpu())

# %% lookup-names
# dir() lists every name of a module; the ones without a leading underscore are public.
public_names = [name for name in dir(torch.distributions) if not name.startswith("_")]
print(len(public_names), "public names, for example:")
print(", ".join(public_names[:12]))
assert "Normal" in public_names and "Multinomial" in public_names

# %% lookup-help
# help(torch.ones) prints the whole docstring; its first
# lines are the signature and summary.
doc_lines = [line for line in torch.ones.__doc__.strip().splitlines() if line.strip()]
print("\n".join(doc_lines[:3]))
