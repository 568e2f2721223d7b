"""Lazy references to functions, for registries read by modules that must stay light.

A registry entry (a scorer, an engine, a source format) names its implementation as
`"module:function"` instead of importing it, so reading the registry (config validation, the
rule schema, `recon validate`) imports neither pyspark nor rapidfuzz nor the loaders; the module
is imported the first time the function is needed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

Loader = Callable[[], Callable[..., Any]]


def resolve(ref: str) -> Any:
    """The object `"module:name"` names, importing the module now."""
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def lazy(ref: str, *args: Any) -> Loader:
    """A loader of the function `ref` names; with `args`, `ref` is a factory called with them."""
    def load() -> Callable[..., Any]:
        target = resolve(ref)
        return target(*args) if args else target
    return load


__all__ = ["Loader", "lazy", "resolve"]
