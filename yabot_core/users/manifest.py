"""The users module's manifest."""

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(name="users", title="Usuarios")
