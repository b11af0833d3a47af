"""The book's helper names in one namespace: ``from d2lref import torch as d2l``.

Code written for the original ``d2l`` package's PyTorch helpers runs unchanged against this
facade; every name lives in a small module of its own (see each module's docstring).
"""

from d2lref.config import *  # noqa: F403
from d2lref.data import *  # noqa: F403
from d2lref.devices import *  # noqa: F403
from d2lref.models import *  # noqa: F403
from d2lref.ops import *  # noqa: F403
from d2lref.plotting import *  # noqa: F403
from d2lref.training import *  # noqa: F403
from d2lref.viz import *  # noqa: F403
