"""The docs stay whole: every error type is in the API reference, and the README points to
nothing outside the repository. (``make docs`` builds them with ``--strict``.)"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import og_alpha
import og_devnet

ROOT = Path(__file__).resolve().parents[2]


def error_types() -> dict[str, type[BaseException]]:
    """Every public exception class defined in og_alpha and og_devnet, by dotted name."""
    found = {}
    for package in (og_alpha, og_devnet):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name.endswith("__main__"):
                continue
            module = importlib.import_module(info.name)
            for name, obj in vars(module).items():
                if (
                    isinstance(obj, type)
                    and issubclass(obj, BaseException)
                    and obj.__module__ == info.name
                    and not name.startswith("_")
                ):
                    found[f"{info.name}.{name}"] = obj
    return found


def documented(page: Path) -> set[object]:
    objects = set()
    for dotted in re.findall(r"^::: ([\w.]+)$", page.read_text(), re.MULTILINE):
        module, _, name = dotted.rpartition(".")
        objects.add(getattr(importlib.import_module(module), name))
    return objects


def test_every_error_type_is_in_the_api_reference() -> None:
    listed = documented(ROOT / "docs" / "reference" / "errors.md")
    missing = sorted(name for name, cls in error_types().items() if cls not in listed)
    assert not missing, f"add to docs/reference/errors.md: {', '.join(missing)}"


def test_the_readme_points_to_nothing_outside_the_repository() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "../" not in readme
    for target in re.findall(r"\]\(([^)#]+)\)", readme):
        if "://" not in target:
            assert (ROOT / target).exists(), f"README links to {target}, which is not in the repo"
