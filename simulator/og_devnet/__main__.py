"""``python -m og_devnet``: the ``og`` command, for when the console script is not on PATH."""

import sys

from .extra import og

sys.exit(og())
