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
