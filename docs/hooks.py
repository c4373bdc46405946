"""mkdocs hook: the `og` command's reference is its own ``--help`` text, each command's, as
the parser in og_devnet.cli prints it, so the page cannot drift from the code."""

from __future__ import annotations

import argparse
from typing import Any

MARKER = "<!-- og --help -->"


def _sections(parser: argparse.ArgumentParser, name: str) -> list[str]:
    out = [f"## `{name}`\n\n```text\n{parser.format_help().rstrip()}\n```\n"]
    for action in parser._actions:  # argparse keeps subcommands only here
        if isinstance(action, argparse._SubParsersAction):
            for sub, child in action.choices.items():
                out += _sections(child, f"{name} {sub}")
    return out


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    if MARKER not in markdown:
        return markdown
    from og_devnet.cli import parser

    return markdown.replace(MARKER, "\n".join(_sections(parser(), "og")))
