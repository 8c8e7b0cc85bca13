"""The messenger of a process that runs no bot: nothing can be sent from it (and aiogram is not loaded)."""

from collections.abc import Awaitable, Callable

from yabot_core.kernel import UnavailableError, UserId
from yabot_core.lucien import Messenger


class OfflineMessenger(Messenger):
    """Refuses every send.

    Handlers that send are not run in such a process (their events wait for one that runs the bot), so this
    only answers a stray call, in Spanish.
    """

    async def send(
        self,
        user_id: UserId,  # noqa: ARG002  (the port's signature)
        text: str,  # noqa: ARG002
        *,
        on_turn: Callable[[], Awaitable[None]] | None = None,  # noqa: ARG002
        protect: bool = False,  # noqa: ARG002
    ) -> None:
        """Refuse: this process has no bot."""
        raise UnavailableError("El bot de Telegram está apagado en este proceso (falta YABOT_BOT_TOKEN).")
