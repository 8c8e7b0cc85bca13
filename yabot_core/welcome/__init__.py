"""The welcome gift: Diana's besitos for every new fan. Public API; import from here only."""

from yabot_core.kernel import ModuleManifest
from yabot_core.welcome.gift import WELCOME_GIFT, WelcomeGift

MANIFEST = ModuleManifest(name="welcome", title="Regalo de bienvenida", depends_on=("users", "wallet"))

__all__ = ["MANIFEST", "WELCOME_GIFT", "WelcomeGift"]
