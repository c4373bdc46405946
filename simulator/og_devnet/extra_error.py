"""``MissingExtraError``, apart from ``og_devnet.extra`` because it is an SDK error and so a
web3 exception: importing it imports web3 (about 0.6 s), which the ``og`` command, whose entry
point is ``og_devnet.extra``, must not pay before it knows it needs to.
``og_devnet.extra.MissingExtraError`` is this class, loaded on first use."""

from __future__ import annotations

from og_alpha.errors import ConfigurationError


class MissingExtraError(ConfigurationError, ImportError):
    """A part of og-alpha-devkit that needs the ``devnet`` extra was used without it.

    An ``og_alpha.ConfigurationError`` (so ``og_alpha.connect("local")`` fails with an SDK
    error) and an ``ImportError`` (so code that probes ``import og_devnet``-style features
    with ``except ImportError`` keeps working). The message names the install command.
    """


__all__ = ["MissingExtraError"]
