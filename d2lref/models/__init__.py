"""d2lref.models (public names are listed in __all__ and re-exported by d2lref.torch)."""

__all__: list[str] = []

from d2lref.models.lenet import lenet  # noqa: E402

__all__ += ["lenet"]
