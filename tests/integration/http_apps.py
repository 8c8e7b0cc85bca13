"""The HTTP API as the tests serve it: Litestar's app with the wallet module's routes."""

from typing import Any

from litestar import Litestar

from yabot_adapters.http import create_app
from yabot_adapters.http.controllers import wallet_controller
from yabot_core.users import UserDirectory
from yabot_core.wallet import WalletService


def besitos_app(wallet: WalletService, users: UserDirectory, **options: Any) -> Litestar:
    """``create_app`` with the besitos routes, as the wallet module plugs them in."""
    return create_app(route_handlers=[wallet_controller(wallet, users)], **options)
