"""repdesk: the desktop companion that closes the loop between marketing and sales."""

from __future__ import annotations

__version__ = "0.1.0"
