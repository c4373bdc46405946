"""Devnet errors: all are ``OpenGradientError``s, so one ``except`` serves SDK and devnet."""

from __future__ import annotations

from og_alpha.errors import OpenGradientError


class DevnetError(OpenGradientError):
    """A devnet control call was given something it cannot do."""


class ModelError(DevnetError, ValueError):
    """A model file was refused at ``add`` time: not ONNX, truncated, external data, too
    large, an output no inference could return, or a link out of a ``--models`` directory."""


class PrecompileError(DevnetError):
    """A precompile refused a request; becomes the revert reason of the call."""


class PriceDataError(DevnetError, ValueError):
    """Price data was refused (bad rows, unknown pair, too little history)."""
