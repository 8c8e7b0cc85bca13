"""The story module's manifest."""

from typing import Final

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(
    name="story",
    title="Historia",
    depends_on=("users", "lucien", "wallet", "inventory", "subscriptions", "missions"),
)

STORY_READ: Final = "story:read"
"""The API key scope that reads the stories' fragments (their text, VIP ones included)."""
