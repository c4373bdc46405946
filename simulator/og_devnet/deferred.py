"""py_ecc's pairing modules and BLS constants, run on first use instead of on import.

Importing web3 (through eth-account's keyfile support) or py-evm (through its precompiles)
imports py_ecc's pairing modules and BLS12-381 constants, which compute tables and
self-checks at import: about 0.35 s of CPU, a third of an ``og devnet`` start, paid by every
process that imports the devnet and by every pytest worker, though a devnet needs them only
when a transaction calls a pairing or BLS12-381 precompile (0x08, 0x0b-0x11).

:func:`install`, run when ``og_devnet`` is imported, defers the modules in :data:`DEFERRED`
(and only those): importing one gives a module whose functions are stand-ins, and the first
call of any of them (or the first use of any other name of the module) runs the module's own
code, once, into the same module object, and goes on with the real function. The code that
runs is py_ecc's, unchanged; only when it runs moves. Any other name of the module read
before then (a constant, say) runs it at that moment, so nothing can see a half-made module.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

# Modules whose import-time work only their functions need, and whose importers take only
# functions from them: the pairings' tables (``exptable``: twelve FQ12 powers by a 381-bit
# modulus) and line-function self-checks; and the two modules that import py_ecc.bls's
# constants (eight FQ2 powers), so that those are computed on first use too.
DEFERRED = (
    "py_ecc.optimized_bls12_381.optimized_pairing",
    "py_ecc.bls12_381.bls12_381_pairing",
    "py_ecc.optimized_bn128.optimized_pairing",
    "py_ecc.bls.point_compression",
    "py_ecc.bls.hash_to_curve",
)


def functions(source: bytes) -> list[str]:
    """The names a module's source binds at top level to a ``def`` and to nothing else:
    the names a stand-in may stand for until the module runs."""
    import ast  # here: the finder parses only when a deferred module is imported

    defined: set[str] = set()
    other: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            defined.add(node.name)
        else:
            other.update(
                n.id
                for n in ast.walk(node)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            )
            if isinstance(node, (ast.ClassDef, ast.AsyncFunctionDef)):
                other.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                other.update((a.asname or a.name).partition(".")[0] for a in node.names)
    return sorted(defined - other)


class _Loader(importlib.abc.Loader):
    """Creates the module as the real loader would, and puts stand-ins in it instead of
    running its code; :meth:`load` runs the code."""

    def __init__(self, real: importlib.machinery.SourceFileLoader, names: Sequence[str]):
        self.real = real
        self.names = names
        self.lock = threading.RLock()
        self.done = False

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.real.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        namespace = module.__dict__
        for name in self.names:
            namespace[name] = self._stand_in(module, name)

        def __getattr__(name: str) -> Any:
            if name.startswith("__") and name.endswith("__") and name != "__all__":
                # the import system's probes (``__path__``): the module defines none
                raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")
            self.load(module)
            try:
                return namespace[name]
            except KeyError:
                raise AttributeError(
                    f"module {module.__name__!r} has no attribute {name!r}"
                ) from None

        namespace["__getattr__"] = __getattr__

    def _stand_in(self, module: ModuleType, name: str) -> Callable[..., Any]:
        namespace = module.__dict__

        def stand_in(*args: Any, **kwargs: Any) -> Any:
            if not self.done:
                self.load(module)
            return namespace[name](*args, **kwargs)

        stand_in.__name__ = stand_in.__qualname__ = name
        stand_in.__module__ = module.__name__
        return stand_in

    def load(self, module: ModuleType) -> None:
        """Run the module's code into it, once (threads wait for the first)."""
        with self.lock:
            if self.done:
                return
            module.__dict__.pop("__getattr__", None)
            self.real.exec_module(module)  # replaces each stand-in with its function
            self.done = True


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in DEFERRED:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return None  # not a plain source module (frozen, compiled): imported as usual
        try:
            names = functions(spec.loader.get_data(spec.loader.path))
        except (OSError, SyntaxError, ValueError):
            return None
        spec.loader = _Loader(spec.loader, names)
        return spec


_FINDER = _Finder()


def waiting() -> list[str]:
    """The deferred modules imported in this process whose code has not run yet."""
    loaders = {name: getattr(sys.modules.get(name), "__loader__", None) for name in DEFERRED}
    return [n for n, loader in loaders.items() if isinstance(loader, _Loader) and not loader.done]


def install() -> None:
    """Defer the modules in :data:`DEFERRED` from now on in this process (modules already
    imported stay as they are). Idempotent."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
