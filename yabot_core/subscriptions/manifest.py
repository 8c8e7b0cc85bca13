"""The subscriptions module's manifest."""

from typing import Final

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(
    name="subscriptions", title="Suscripciones VIP", depends_on=("users", "audit", "lucien")
)

SUBSCRIPTIONS_WRITE: Final = "subscriptions:write"
"""The API key scope that may grant VIP (``POST /api/v1/admin/subscriptions/grants``)."""
