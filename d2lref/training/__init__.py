"""d2lref.training (public names are listed in __all__ and re-exported by d2lref.torch)."""

__all__: list[str] = []
