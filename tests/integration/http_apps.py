"""The HTTP API as the tests serve it: Litestar's app with the wallet module's routes, and credentials.

``sign_init_data`` does what Telegram does for a Mini App: it signs ``initData`` with the tests' bot token,
so the tests present the same bytes a phone would.
"""

from datetime import datetime
from typing import Any, Final

from litestar import Litestar

from tests.contracts.common import OPERATOR, api_keys_over
from yabot_adapters.http import create_app
from yabot_adapters.http.auth import Authenticator
from yabot_adapters.http.auth.testing import sign_init_data as signed
from yabot_adapters.http.controllers import wallet_controller
from yabot_adapters.memory import InMemoryStorage
from yabot_core.apikeys import ApiKeys
from yabot_core.kernel import FakeClock, SequentialIds
from yabot_core.users import UserDirectory
from yabot_core.wallet import WalletService

BOT_TOKEN: Final = "123456789:AAE-test-token-for-initdata"  # noqa: S105  (the tests' own bot)


def besitos_app(
    wallet: WalletService, users: UserDirectory, authenticator: Authenticator, **options: Any
) -> Litestar:
    """``create_app`` with the besitos routes, as the wallet module plugs them in."""
    return create_app(
        authenticator=authenticator, route_handlers=[wallet_controller(wallet, users)], **options
    )


def keys_only() -> Authenticator:
    """An authenticator over keys nobody holds: for tests of open routes (probes, the OpenAPI document)."""
    clock = FakeClock()
    storage = InMemoryStorage(clock)
    return Authenticator(api_keys_over(storage, clock, SequentialIds()), None)


async def bearer(keys: ApiKeys, name: str, *scopes: str) -> str:
    """An ``Authorization`` value for a new key named ``name`` with ``scopes``."""
    return f"Bearer {(await keys.create(name, scopes, actor=OPERATOR)).token}"


def sign_init_data(
    user_id: int | None, auth_date: datetime, *, token: str = BOT_TOKEN, first_name: str = "Ana"
) -> str:
    """``initData`` for ``user_id`` as Telegram would hand it to a Mini App of the bot with ``token``."""
    return signed(user_id, auth_date, bot_token=token, first_name=first_name)


def tma(init_data: str) -> str:
    """The ``Authorization`` value a Mini App sends."""
    return f"tma {init_data}"
