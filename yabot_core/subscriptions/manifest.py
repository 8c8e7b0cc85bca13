"""The subscriptions module's manifest."""

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(
    name="subscriptions", title="Suscripciones VIP", depends_on=("users", "audit", "lucien")
)
