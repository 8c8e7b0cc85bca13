"""The welcome gift plugged in: besitos for every new fan, once."""

from collections.abc import Iterable

from yabot_app.modules.plug import BuiltModules, HandlerSpec, Kernel, ModulePlug
from yabot_app.modules.wallet import WalletModule
from yabot_core import welcome
from yabot_core.users import UserRegistered
from yabot_core.welcome import WelcomeGift


class WelcomePlug(ModulePlug[WelcomeGift]):
    """Credits ``YABOT_WELCOME_BESITOS`` to every new user."""

    manifest = welcome.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> WelcomeGift:
        """The gift, paid from the wallet."""
        return WelcomeGift(modules.get(WalletModule).wallet, kernel.settings.welcome_besitos)

    def handlers(self, services: WelcomeGift, kernel: Kernel) -> Iterable[HandlerSpec]:
        """Pay on ``UserRegistered``."""
        yield HandlerSpec(UserRegistered, "welcome.gift", services.on_user_registered)


PLUG = WelcomePlug()
