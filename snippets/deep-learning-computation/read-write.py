# %% imports
import datetime
import pickle
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

_ = torch.manual_seed(0)  # '_ =' keeps the returned generator off the output

# %% save-tensor
folder = Path(tempfile.mkdtemp())  # a fresh folder for the files this page writes
x = torch.arange(4)
torch.save(x, folder / "x-file")

# %% load-tensor
x2 = torch.load(folder / "x-file", weights_only=True)
assert torch.equal(x, x2)
x2

# %% save-list
y = torch.zeros(4)
torch.save([x, y], folder / "x-files")
x2, y2 = torch.load(folder / "x-files", weights_only=True)
assert torch.equal(x2, x) and torch.equal(y2, y)
(x2, y2)

# %% save-dict
mydict = {"x": x, "y": y}
torch.save(mydict, folder / "mydict")
mydict2 = torch.load(folder / "mydict", weights_only=True)
assert mydict2.keys() == mydict.keys()
mydict2


# %% unpickle-runs-code
# torch.save uses pickle, and a pickle can name any function to call while it is loaded.
# These hand-written pickle bytes call print: loading them runs code. A malicious file
# could call anything instead (delete files, start a program).
payload = b"cbuiltins\nprint\n(S'this ran while unpickling'\ntR."
pickle.loads(payload)

# %% weights-only
# With weights_only=True (the default since PyTorch 2.6) torch.load accepts only
# tensors, numbers, strings and plain containers of them; any other object is refused,
# even a harmless date. Pass weights_only=False only for files from a source you trust.
torch.save({"saved_on": datetime.date(2026, 1, 1)}, folder / "date-file")
try:
    torch.load(folder / "date-file", weights_only=True)
except pickle.UnpicklingError as error:
    # The message names the refused object in its "Unsupported global" line.
    reason = next(
        line for line in str(error).splitlines() if "Unsupported global" in line
    )
    print("refused:", reason.strip().split(". ")[0])
else:
    raise AssertionError("weights_only=True should refuse a datetime.date")
torch.load(folder / "date-file", weights_only=False)  # trusted file: the full unpickler


# %% mlp
class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(20, 256)
        self.output = nn.Linear(256, 10)

    def forward(self, x):
        return self.output(F.relu(self.hidden(x)))


net = MLP()
X = torch.randn(size=(2, 20))
Y = net(X)

# %% save-params
# Only the parameters are saved (a dict of tensors), not the architecture.
torch.save(net.state_dict(), folder / "mlp.params")
list(net.state_dict().keys())

# %% load-params
# To load them we first build the same architecture again, then fill in the parameters.
clone = MLP()
clone.load_state_dict(torch.load(folder / "mlp.params", weights_only=True))
clone.eval()  # evaluation mode (matters for dropout and batch norm; harmless here)

# %% compare
Y_clone = clone(X)
assert torch.equal(Y_clone, Y)  # same parameters, same input: exactly the same output
same = Y_clone == Y
same

# %% [markdown]
# Exercises: answers


# %% exercise-1
class NarrowMLP(MLP):
    """The same layer names as MLP, but 128 hidden units instead of 256."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(20, 128)
        self.output = nn.Linear(128, 10)


try:
    NarrowMLP().load_state_dict(torch.load(folder / "mlp.params", weights_only=True))
except RuntimeError as error:
    mismatches = [
        line.strip() for line in str(error).splitlines() if "size mismatch" in line
    ]
else:
    raise AssertionError("loading 256 hidden units into 128 should fail")
# hidden.weight, hidden.bias and output.weight differ; output.bias (10) fits both
# models.
assert len(mismatches) == 3
print(*mismatches, sep="\n")


# %% exercise-2
class FivewayMLP(nn.Module):
    """A new model that reuses the trained hidden layer and has a new 5-way output."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(20, 256)
        self.head = nn.Linear(256, 5)

    def forward(self, x):
        return self.head(F.relu(self.hidden(x)))


reuse = FivewayMLP()
saved = torch.load(folder / "mlp.params", weights_only=True)
# Keep only the hidden layer's entries, without their "hidden." prefix.
hidden_only = {
    k.removeprefix("hidden."): v for k, v in saved.items() if k.startswith("hidden.")
}
reuse.hidden.load_state_dict(hidden_only)
# the copied layer computes the same features
assert torch.equal(reuse.hidden(X), net.hidden(X))
assert reuse(X).shape == (2, 5)
sorted(hidden_only)

# %% exercise-3
# How big is mlp.params? float32 takes 4 bytes per number, plus the file's own
# bookkeeping.
import io  # noqa: E402  (an answer cell imports what it needs)

n_params = sum(p.numel() for p in net.parameters())
buffer = io.BytesIO()  # torch.save writes to any file-like object
torch.save(net.state_dict(), buffer)
size = buffer.getbuffer().nbytes
assert n_params == 20 * 256 + 256 + 256 * 10 + 10
assert 4 * n_params < size < 4 * n_params + 4096
print(
    f"{n_params} parameters x 4 bytes = {4 * n_params} bytes; the file has {size} bytes"
)
