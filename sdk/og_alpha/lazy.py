"""Public names of a package loaded on first use (PEP 562), for ``og_alpha`` and ``og_devnet``.

A package ``__init__`` that imports its submodules makes every ``import`` of the package pay
for all of them: ``og_alpha``'s errors are web3's (about 0.6 s to import), ``og_devnet``'s
chain is py-evm's. With these, ``import og_alpha`` costs nothing, ``from og_alpha import
CandleType`` loads only ``og_alpha.types``, and ``og model cid`` starts in a tenth of the time.
The package keeps its ``__all__`` and lists the names again under ``if TYPE_CHECKING:`` so that
type checkers and IDEs see them as before.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def lazy_exports(
    module: str,
    sources: Mapping[str, Iterable[str]],
    public: Iterable[str],
    before: Callable[[str], None] | None = None,
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``module`` (a package, or a module of one),
    whose public names ``sources`` maps from the module that defines them, named relative to
    ``module``'s package (``"errors"``), to those names. ``before(name)`` runs before a public
    name's module is imported (``og_devnet`` raises there when the devnet extra is missing).

    Of a package, a submodule is an attribute too (``og_alpha.wire`` without ``import
    og_alpha.wire``), as it was when the package imported everything. Each value is kept in
    the module once loaded, so ``__getattr__`` runs once per name.
    """
    namespace = sys.modules[module].__dict__
    anchor = namespace["__package__"]
    is_package = "__path__" in namespace
    home = {name: f".{source}" for source, names in sources.items() for name in names}
    listed = sorted(set(public))

    def missing(name: str) -> AttributeError:
        return AttributeError(f"module {module!r} has no attribute {name!r}")

    def __getattr__(name: str) -> Any:
        source = home.get(name)
        if source is not None:
            if before is not None:
                before(name)
            value = getattr(importlib.import_module(source, anchor), name)
        elif is_package and not name.startswith("__"):  # dunders are probes, not submodules
            try:
                value = importlib.import_module(f"{module}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{module}.{name}":
                    raise  # the submodule exists but an import inside it failed: that error
                raise missing(name) from None
        else:
            raise missing(name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *listed})

    return __getattr__, __dir__
