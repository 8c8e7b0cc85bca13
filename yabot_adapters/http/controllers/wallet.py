"""Besitos over HTTP: a user's balance and their ledger, page by page."""

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from yabot_adapters.http.auth import USER_DATA, protected
from yabot_adapters.http.errors import API_ERROR_RESPONSES, USER_NOT_FOUND
from yabot_adapters.http.parameters import UserIdInPath
from yabot_adapters.http.schemas import BesitosView
from yabot_core.kernel import UserId
from yabot_core.users import UserDirectory
from yabot_core.wallet import MAX_HISTORY_OFFSET, MAX_PAGE_SIZE, WalletService


def wallet_controller(wallet: WalletService, users: UserDirectory) -> type[Controller]:
    """The besitos controller over ``wallet`` (bound here once, not resolved on every request)."""

    class WalletController(Controller):
        """A user's besitos."""

        path = "/users"
        tags = ["besitos"]  # noqa: RUF012  (Litestar reads layer options as plain class attributes)

        # The path declares ``str`` and the signature ``int`` on purpose: ``{user_id:int}`` would turn a
        # non-numeric id into an unknown route (404), and parse ``+7`` or Unicode digits as numbers; this way
        # ``parameters.require_plain_integers`` sees the raw text, and a bad id is a 400 like any other.
        @protected(USER_DATA)
        @get(
            "/{user_id:str}/besitos",
            summary="Consultar los besitos de un usuario",
            description=(
                "Devuelve el saldo disponible, los besitos reservados (en subastas) y una página del "
                "historial de movimientos, del más reciente al más antiguo, leídos de una misma instantánea."
            ),
            response_description="El saldo y una página del historial.",
            responses={**API_ERROR_RESPONSES, 404: USER_NOT_FOUND},
        )
        async def besitos(
            self,
            user_id: UserIdInPath,
            limit: Annotated[
                int,
                QueryParameter(
                    ge=1, le=MAX_PAGE_SIZE, description=f"Movimientos por página (1 a {MAX_PAGE_SIZE})."
                ),
            ] = 20,
            offset: Annotated[
                int,
                QueryParameter(
                    ge=0,
                    le=MAX_HISTORY_OFFSET,
                    description="Movimientos que se saltan desde el más reciente.",
                ),
            ] = 0,
        ) -> BesitosView:
            """Answer only for registered users, so a typo in an id is a 404 rather than an empty wallet."""
            user = await users.get(UserId(user_id))
            statement = await wallet.statement(user.user_id, limit=limit, offset=offset)
            return BesitosView.of(statement)

    return WalletController
