"""The audit module's manifest."""

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(name="audit", title="Registro de auditoría")
