"""The trivia plugged in: its polls sent by the bot, /trivia, poll answers, Lucien's word, HTTP, the CLI."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from yabot_app.modules.audit import AuditModule
from yabot_app.modules.lucien import LucienModule
from yabot_app.modules.plug import (
    AdminScreen,
    BotCommand,
    BotPart,
    BuiltModules,
    HandlerSpec,
    Kernel,
    ModulePlug,
)
from yabot_app.modules.wallet import WalletModule
from yabot_core import trivia
from yabot_core.trivia import (
    QuizSender,
    Trivia,
    TriviaAnswered,
    TriviaCreated,
    TriviaNotices,
    TriviaSendPending,
)

if TYPE_CHECKING:
    import click

NOTICE_MAX_AGE = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class TriviaModule:
    """The trivia module's services; ``sender`` is ``None`` in a process without the bot."""

    trivia: Trivia
    notices: TriviaNotices
    sender: QuizSender | None

    async def send(self, event: TriviaCreated | TriviaSendPending) -> None:
        """A question was created (or a long send goes on): send its polls (only the bot's processes)."""
        if self.sender is not None:
            await self.trivia.on_send_due(event, self.sender)


class TriviaPlug(ModulePlug[TriviaModule]):
    """Quiz polls with a reward for the right answer in time, once per fan."""

    manifest = trivia.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> TriviaModule:
        """The service over storage; the quiz sender when the bot runs here."""
        storage = kernel.storage
        service = Trivia(
            storage.transactions,
            storage.trivia_queries,
            modules.get(WalletModule).wallet,
            clock=kernel.clock,
            ids=kernel.ids,
            audit=modules.get(AuditModule).log,
        )
        sender: QuizSender | None = None
        if kernel.telegram:
            from yabot_adapters.telegram.quiz import TelegramQuizSender  # noqa: PLC0415  (aiogram only when on)

            sender = TelegramQuizSender(kernel.bot, kernel.outgoing)
        return TriviaModule(
            trivia=service, notices=TriviaNotices(modules.get(LucienModule).lucien), sender=sender
        )

    def handlers(self, services: TriviaModule, kernel: Kernel) -> Iterable[HandlerSpec]:
        """Sending a new question's polls; Lucien's word to the rewarded."""
        yield HandlerSpec(TriviaCreated, "trivia.send", services.send, needs_telegram=True)
        yield HandlerSpec(TriviaSendPending, "trivia.send_more", services.send, needs_telegram=True)
        yield HandlerSpec(
            TriviaAnswered,
            "trivia.rewarded",
            services.notices.on_trivia_answered,
            max_age=NOTICE_MAX_AGE,
            needs_telegram=True,
        )

    def bot(self, services: TriviaModule, kernel: Kernel) -> BotPart:
        """/trivia, the poll answers, and the /admin screen of the questions' results."""
        from yabot_adapters.telegram.routers import trivia as router  # noqa: PLC0415  (aiogram only when on)
        from yabot_adapters.telegram.routers import trivia_admin  # noqa: PLC0415

        return BotPart(
            routers=[router.setup()],
            commands=[BotCommand("trivia", "trivia-command-trivia")],
            data={"trivia": services.trivia, "trivia_clock": kernel.clock},
            admin_screens=[
                AdminScreen(
                    "trivia-admin-button",
                    trivia_admin.TriviaAdminScreen.listing,
                    [trivia_admin.trivia_dialog()],
                    order=60,
                )
            ],
        )

    def api(self, services: TriviaModule) -> Sequence[Any]:
        """``/admin/trivia``: create, list, results, cancel."""
        from yabot_adapters.http.controllers.trivia import trivia_controller  # noqa: PLC0415

        return [trivia_controller(services.trivia)]

    def commands(self) -> Sequence["click.Command"]:
        """``yabot trivia create|list|results|cancel``."""
        from yabot_app.cli.trivia import trivia_group  # noqa: PLC0415  (the CLI imports the registry)

        return [trivia_group]


PLUG = TriviaPlug()
