"""The book's helper names in one namespace: ``from d2lref import torch as d2l``.

Code written for the original ``d2l`` package's PyTorch helpers (``d2l==0.17.6``) runs
unchanged against this facade: its functions and classes up to chapter 7, and its tensor
shortcuts (``d2l.reshape``, ``d2l.size``, ...). Every name lives in a small module of its own
(see each module's docstring); tests/d2lref/test_d2l_compat.py checks that no two modules
export the same name.

A name's module is imported when the name is first used (``d2l.train_ch6`` imports the
training loops), so a program imports only what it uses; ``dir(d2l)`` and
``from d2lref.torch import *`` see every name.
"""

from typing import TYPE_CHECKING

from d2lref._lazy import exports_of, lazy_package

__all__ = list(exports_of(__file__))
lazy_package(__name__, __file__)

if TYPE_CHECKING:
    from d2lref.config import *  # noqa: F403
    from d2lref.data import *  # noqa: F403
    from d2lref.devices import *  # noqa: F403
    from d2lref.models import *  # noqa: F403
    from d2lref.ops import *  # noqa: F403
    from d2lref.plotting import *  # noqa: F403
    from d2lref.tensor_aliases import *  # noqa: F403
    from d2lref.training import *  # noqa: F403
    from d2lref.viz import *  # noqa: F403
