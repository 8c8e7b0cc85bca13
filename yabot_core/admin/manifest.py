"""The admin module's manifest."""

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(
    name="admin",
    title="Administración",
    depends_on=("audit", "users", "wallet", "subscriptions"),
)
