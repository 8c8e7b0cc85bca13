"""YABOT's shipped content: the defaults the creator's files in ``YABOT_DATA_DIR/content/`` override."""

from pathlib import Path
from typing import Final

SHIPPED_CONTENT: Final = Path(__file__).resolve().parent
"""The folder of the shipped content files."""

SHIPPED_ITEMS: Final = SHIPPED_CONTENT / "items.yaml"
"""The shipped items catalog (objects, pistas and their recipes)."""

SHIPPED_PLANS: Final = SHIPPED_CONTENT / "plans.yaml"
"""The shipped VIP plans (days and price in Telegram Stars)."""

SHIPPED_STORIES: Final = SHIPPED_CONTENT / "stories"
"""The shipped stories, one YAML file each."""

SHIPPED_DAILY_GIFT: Final = SHIPPED_CONTENT / "daily_gift.yaml"
"""The shipped daily gift (the streak's besitos and the surprises Lucien draws)."""

SHIPPED_MISSIONS: Final = SHIPPED_CONTENT / "missions.yaml"
"""The shipped missions (objectives over events that exist today)."""

__all__ = [
    "SHIPPED_CONTENT",
    "SHIPPED_DAILY_GIFT",
    "SHIPPED_ITEMS",
    "SHIPPED_MISSIONS",
    "SHIPPED_PLANS",
    "SHIPPED_STORIES",
]
