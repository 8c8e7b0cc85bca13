"""The missions module's manifest, and the API key scope its admin route asks for."""

from typing import Final

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(
    name="missions", title="Misiones", depends_on=("users", "wallet", "inventory", "lucien", "audit")
)

MISSIONS_WRITE: Final = "missions:write"
"""The API key scope that may give fans missions (``POST /api/v1/admin/missions/assignments``)."""
