"""The API keys module's manifest."""

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(name="apikeys", title="Claves de la API", depends_on=("audit",))
