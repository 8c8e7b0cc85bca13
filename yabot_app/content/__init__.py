"""YABOT's shipped content: the defaults the creator's files in ``YABOT_DATA_DIR/content/`` override."""

from pathlib import Path
from typing import Final

SHIPPED_CONTENT: Final = Path(__file__).resolve().parent
"""The folder of the shipped content files."""

SHIPPED_ITEMS: Final = SHIPPED_CONTENT / "items.yaml"
"""The shipped items catalog (objects, pistas and their recipes)."""

__all__ = ["SHIPPED_CONTENT", "SHIPPED_ITEMS"]
