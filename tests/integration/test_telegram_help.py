"""/ayuda, /help and the fallback list what every registered module offers, in the catalog's words."""

import re
import textwrap
from collections.abc import Sequence
from pathlib import Path

from tests.integration.telegram_world import World
from yabot_adapters.telegram import prepare_bot
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.modules import MODULES
from yabot_app.modules.plug import BotCommand, BotPart, BuiltModules, Kernel, ModulePlug
from yabot_core.kernel import FakeClock, ModuleManifest

LISTED = re.compile(r"^/(\w+) — (.+)$", re.MULTILINE)


def registered_commands(world: World) -> list[tuple[str, str]]:
    """Every command the registered modules declare, described by the catalog, then /ayuda itself."""
    modules = world.container.modules()
    texts = modules.kernel.phrasebook
    declared = [
        (command.command, texts.render(command.description))
        for part in modules.bot_parts()
        for command in part.commands
    ]
    return [*declared, ("ayuda", texts.render("bot-command-ayuda"))]


class TarotPlug(ModulePlug[None]):
    """A module the registry does not ship: one command, its description in its own texts file."""

    manifest = ModuleManifest("tarot", "Tarot")

    def __init__(self, texts: Path) -> None:
        self._texts = texts

    def texts(self) -> Sequence[Path]:
        return (self._texts,)

    def build(self, kernel: Kernel, modules: BuiltModules) -> None:
        return None

    def bot(self, services: None, kernel: Kernel) -> BotPart:
        return BotPart(routers=[], commands=[BotCommand("tarot", "tarot-command-tarot")])


class TestHelp:
    async def test_ayuda_and_help_list_every_registered_command(self, world: World) -> None:
        """/ayuda and /help list each module's commands with their Spanish descriptions, and nothing else."""
        expected = registered_commands(world)
        assert len(expected) > 1
        for command in ("/ayuda", "/help"):
            reply = await world.say(command)
            assert reply.startswith("A su servicio, Ana.")
            assert LISTED.findall(reply) == expected

    async def test_the_fallback_lists_them_too(self, world: World) -> None:
        """An unknown command and plain chatter are answered with the same list of services."""
        expected = registered_commands(world)
        for text in ("/bailar", "¿Qué tal, Lucien?"):
            assert LISTED.findall(await world.say(text)) == expected

    async def test_a_new_modules_command_is_listed_without_touching_the_help(
        self, tmp_path: Path, clock: FakeClock, server: FakeTelegramServer
    ) -> None:
        """A module plugged in with its command and texts shows up in /ayuda and the fallback at once."""
        texts = tmp_path / "tarot.ftl"
        texts.write_text("tarot-command-tarot = Consultar las cartas de Diana\n", encoding="utf-8")
        world = World(clock, server, plugs=(*MODULES, TarotPlug(texts)))
        await world.start_polling()
        try:
            for text in ("/ayuda", "/bailar"):
                listed = LISTED.findall(await world.say(text))
                assert ("tarot", "Consultar las cartas de Diana") in listed
                assert listed == registered_commands(world)
        finally:
            await world.close()

    async def test_descriptions_are_html_once_in_help_and_plain_in_the_menu(
        self, tmp_path: Path, clock: FakeClock, server: FakeTelegramServer
    ) -> None:
        """A description with markup or an escaped "&" reads right in /ayuda and in the Telegram menu."""
        content = tmp_path / "data" / "content"
        content.mkdir(parents=True)
        (content / "menu.ftl").write_text(
            textwrap.dedent("""\
                wallet-command-saldo = Sus besitos &amp; sus movimientos, <i>al día</i>
            """),
            encoding="utf-8",
        )
        world = World(clock, server, data_dir=str(tmp_path / "data"))
        await world.start_polling()
        try:
            reply = await world.say("/ayuda")
            await prepare_bot(world.bot, world.container.bot_menu())
        finally:
            await world.close()
        assert "/saldo — Sus besitos &amp; sus movimientos, <i>al día</i>" in reply
        (call,) = server.calls("setMyCommands")
        descriptions = {command["command"]: command["description"] for command in call.params["commands"]}
        assert descriptions["saldo"] == "Sus besitos & sus movimientos, al día"
