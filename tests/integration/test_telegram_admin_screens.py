"""A module plugs its own screen into /admin: a button in the menu, its dialog, its services, its texts."""

from collections.abc import Sequence
from pathlib import Path

from aiogram.fsm.state import State, StatesGroup
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Cancel
from aiogram_dialog.widgets.text import Format

from tests.integration.telegram_world import World
from tests.integration.test_telegram_admin import Admin
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.modules import MODULES
from yabot_app.modules.plug import AdminScreen, BotPart, BuiltModules, Kernel, ModulePlug
from yabot_core.kernel import FakeClock, ModuleManifest

DIANA = 1001


class PostsScreen(StatesGroup):
    """The screen a posts module would add."""

    main = State()


async def _posts(dialog_manager: DialogManager, **_: object) -> dict[str, str]:
    scheduled: list[str] = dialog_manager.middleware_data["posts_scheduled"]
    return {"text": f"Programadas: {len(scheduled)}", "back": "Volver"}


class PostsPlug(ModulePlug[list[str]]):
    """A module that only adds an admin screen, as the scheduled posts will."""

    manifest = ModuleManifest(name="posts_demo", title="Publicaciones (prueba)")

    def __init__(self, texts: Path) -> None:
        self._texts = texts

    def texts(self) -> Sequence[Path]:
        return (self._texts,)

    def build(self, kernel: Kernel, modules: BuiltModules) -> list[str]:
        return ["post-1", "post-2"]

    def bot(self, services: list[str], kernel: Kernel) -> BotPart:
        dialog = Dialog(
            Window(
                Format("{text}"),
                Cancel(Format("{back}"), id="back"),
                state=PostsScreen.main,
                getter=_posts,
            )
        )
        return BotPart(
            routers=(),
            data={"posts_scheduled": services},
            admin_screens=[AdminScreen("posts-demo-button", PostsScreen.main, [dialog], order=40)],
        )


async def test_a_module_adds_a_screen_to_the_menu(
    clock: FakeClock, server: FakeTelegramServer, tmp_path: Path
) -> None:
    """The module's button shows in /admin among the others, in its order; its dialog reads its services."""
    texts = tmp_path / "posts_demo.ftl"
    texts.write_text("posts-demo-button = 📝 Publicaciones\n", encoding="utf-8")
    world = World(clock, server, admin_ids=[DIANA], plugs=[*MODULES, PostsPlug(texts)])
    await world.start_polling()
    try:
        admin = Admin(server, DIANA, "Diana")
        menu = await admin.command("/admin")
        assert menu.labels.index("📝 Publicaciones") == menu.labels.index("🎟 Códigos VIP") + 1
        screen = await admin.press("📝 Publicaciones")
        assert screen.text == "Programadas: 2"
        back = await admin.press("Volver")
        assert "Panel de administración" in back.text
    finally:
        await world.close()
