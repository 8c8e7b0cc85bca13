"""/mochila end to end: the product's own composition, aiogram polling a fake Bot API, a fan pressing buttons.

The catalog is the shipped one (``yabot_app/content/items.yaml``): the two halves of Diana's letter combine
into the whole letter.
"""

from pathlib import Path

import pytest

from tests.contracts.inventory_catalog import LONGEST, small_catalog
from tests.integration.inventory_fan import CALLBACK_DATA_LIMIT, Fan
from tests.integration.telegram_world import ANA, World
from yabot_adapters.telegram.keyboards.inventory import (
    MAX_PAGE,
    RAW_ID_LIMIT,
    ItemRefs,
    MochilaCombine,
    MochilaCombineWith,
    MochilaItem,
    MochilaPage,
    MochilaUse,
)
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_adapters.texts.checks import check_render_calls
from yabot_app.modules.inventory import InventoryModule
from yabot_core.inventory import ItemCatalog
from yabot_core.kernel import FakeClock

REPO = Path(__file__).resolve().parents[2]
LEFT, RIGHT, LETTER = "carta-rota-izquierda", "carta-rota-derecha", "carta-de-diana"
LEFT_BUTTON, RIGHT_BUTTON = "Media carta (izquierda) × 1", "Media carta (derecha) × 1"
EAST, WEST = "mapa-" + "e" * 59, "mapa-" + "o" * 59
LONG_IDS = f"""\
objetos:
  - id: {EAST}
    nombre: Mapa del este
    descripcion: Medio mapa.
  - id: {WEST}
    nombre: Mapa del oeste
    descripcion: El otro medio.
recetas:
  - ingredientes: [{EAST}, {WEST}]
    resultado: carta-de-diana
"""


@pytest.fixture(name="inventory")
def inventory_fixture(world: World) -> InventoryModule:
    return world.container.modules().get(InventoryModule)


@pytest.fixture(name="fan")
async def fan_fixture(world: World) -> Fan:
    """Ana, who has written /start (so Telegram lets Lucien write to her)."""
    fan = Fan(world.server, ANA)
    await fan.command("/start")
    await world.bus.deliver_pending()
    return fan


async def give(inventory: InventoryModule, item: str, quantity: int = 1, note: str | None = None) -> None:
    await inventory.grants.grant(ANA, item, quantity, note=note, idempotency_key=f"give-{item}-{quantity}")


class TestGiftNotices:
    async def test_several_of_a_kind_are_spoken_of_in_the_plural(
        self, world: World, inventory: InventoryModule, fan: Fan
    ) -> None:
        """Three roses are "los" and "examinarlos"; one more, to a fan who holds some, says how many now."""
        await give(inventory, "rosa-roja", 3)
        await give(inventory, "rosa-roja", 1, note="Otra más")
        await world.bus.deliver_pending()
        three, one = world.server.messages(ANA)[-2:]
        assert (
            "Diana le envía <b>3 × Rosa roja</b>. Ya los he guardado en su mochila, donde ahora tiene 3."
            in three
        )
        assert three.endswith("Puede examinarlos cuando guste con /mochila.")
        assert "Ya lo he guardado en su mochila, donde ahora tiene 4. Puede examinarlo cuando guste" in one


class TestJourney:
    async def test_two_gifted_pistas_are_listed_opened_and_combined(
        self, world: World, inventory: InventoryModule, fan: Fan
    ) -> None:
        """Diana gives two halves; Lucien says so; /mochila lists them; one opened combines with the other."""
        await give(inventory, LEFT, note="Por su paciencia")
        await give(inventory, RIGHT)
        await world.bus.deliver_pending()
        notices = world.server.messages(ANA)[-2:]
        assert (
            "Diana le envía <b>Media carta (izquierda)</b>, con unas palabras: <i>«Por su paciencia»</i>"
            in (notices[0])
        )
        assert "Diana le envía <b>Media carta (derecha)</b>. Ya lo he guardado en su mochila" in notices[1]

        listing = await fan.command("/mochila")
        assert "Permítame abrir su mochila, <b>Ana</b>. Guarda 2 objetos distintos:" in listing.text
        assert "• <b>Media carta (derecha)</b> × 1 · <i>pista</i>" in listing.text
        assert "• <b>Media carta (izquierda)</b> × 1 · <i>pista</i>" in listing.text
        assert listing.labels == [RIGHT_BUTTON, LEFT_BUTTON]

        detail = await fan.press(LEFT_BUTTON)
        assert detail.text.startswith("<b>Media carta (izquierda)</b> · <i>pista</i>\n\nLa mitad izquierda")
        assert "Conserva una unidad en su mochila." in detail.text
        assert detail.labels == ["Usar", "Combinar", "« Volver a la mochila"]

        partners = await fan.press("Combinar")
        assert "¿Con qué desea combinar <b>Media carta (izquierda)</b>?" in partners.text
        assert partners.labels == ["Con Media carta (derecha)", "« Volver"]

        combined = await fan.press("Con Media carta (derecha)")
        assert (
            "Lucien une con cuidado <b>Media carta (izquierda)</b> y <b>Media carta (derecha)</b>… y ante"
            " usted aparece <b>La carta de Diana</b>." in combined.text
        )
        assert "Diana escribe a alguien a quien echa de menos" in combined.text
        assert combined.labels == ["Ver La carta de Diana", "« Volver a la mochila"]

        listing = await fan.press("« Volver a la mochila")
        assert "Guarda un objeto:" in listing.text
        assert "• <b>La carta de Diana</b> × 1 · <i>pista</i>" in listing.text
        assert listing.labels == ["La carta de Diana × 1"]
        assert {item.item_id: item.quantity for item in (await inventory.mochila.inventory(ANA)).items} == {
            LETTER: 1
        }

    async def test_using_asks_first_then_lucien_reads_the_item_once(
        self, inventory: InventoryModule, fan: Fan
    ) -> None:
        """« Usar » asks; « Sí, úselo » uses one up and shows its text; a press delivered twice acts once."""
        await give(inventory, "rosa-roja", 2)
        await fan.command("/mochila")
        await fan.press("Rosa roja × 2")
        question = await fan.press("Usar")
        assert "¿Desea usted usar <b>Rosa roja</b>?" in question.text
        assert question.labels == ["Sí, úselo", "No, guárdelo"]

        used = await fan.press("Sí, úselo")
        assert "Lucien recibe <b>Rosa roja</b> con una leve reverencia" in used.text
        assert "<i>Una rosa del jardín de Diana. Lucien las corta cada mañana.</i>" in used.text
        assert "Aún conserva uno en su mochila." in used.text
        assert used.labels == ["Ver Rosa roja", "« Volver a la mochila"]
        await fan.press_again()
        assert (await inventory.mochila.item(ANA, "rosa-roja")).quantity == 1

    async def test_a_press_the_core_refuses_gets_lucien_s_alert(
        self, inventory: InventoryModule, fan: Fan
    ) -> None:
        """An ingredient gone between the offer and the press: the fan reads why, in a short plain alert."""
        await give(inventory, LEFT)
        await give(inventory, RIGHT)
        await fan.command("/mochila")
        await fan.press(LEFT_BUTTON)
        await fan.press("Combinar")
        await inventory.mochila.remove(ANA, RIGHT, reason="admin_removal", idempotency_key="gone")

        alert = await fan.press_for_alert("Con Media carta (derecha)")
        assert alert.startswith("Le ruego que me disculpe: no he podido atender su petición.")
        assert "No hay ningún «Media carta (derecha)» en la mochila." in alert
        assert "<" not in alert
        assert len(alert) <= 200
        assert (await inventory.mochila.item(ANA, LEFT)).quantity == 1

    async def test_nothing_to_combine_is_said_and_the_fan_goes_back(
        self, inventory: InventoryModule, fan: Fan
    ) -> None:
        """« Combinar » with no partner held brings Lucien's regrets and the way back to the item."""
        await give(inventory, "llave-dorada")
        await fan.command("/mochila")
        await fan.press("Llave dorada × 1")
        regrets = await fan.press("Combinar")
        assert "Nada de lo que guarda ahora mismo combina con <b>Llave dorada</b>." in regrets.text
        back = await fan.press("« Volver")
        assert back.text.startswith("<b>Llave dorada</b> · <i>objeto</i>")


class TestEditing:
    async def test_a_screen_that_did_not_change_is_no_error(
        self, world: World, inventory: InventoryModule, fan: Fan
    ) -> None:
        """Telegram refuses to edit a message into the same text; the press is still answered, quietly."""
        await give(inventory, LEFT)
        await fan.command("/mochila")
        world.server.fail(
            "editMessageText",
            400,
            "Bad Request: message is not modified: specified new message content and"
            " reply markup are exactly the same",
            times=1,
        )
        await fan.press(LEFT_BUTTON)
        assert not world.server.calls("editMessageText")[-1].ok

    async def test_a_press_on_a_message_too_old_to_edit_gets_a_new_message(
        self, inventory: InventoryModule, fan: Fan
    ) -> None:
        """A button of a message Telegram no longer lets the bot edit is answered with a fresh message."""
        await give(inventory, LEFT)
        await fan.command("/mochila")
        detail = await fan.press_on_an_old_message(LEFT_BUTTON)
        assert detail.text.startswith("<b>Media carta (izquierda)</b>")
        assert detail.labels == ["Usar", "Combinar", "« Volver a la mochila"]


class TestList:
    async def test_an_empty_mochila_is_said_without_buttons(self, fan: Fan) -> None:
        """A fan with nothing hears so, by name, and gets no keyboard."""
        empty = await fan.command("/mochila")
        assert empty.text.startswith("Su mochila está vacía por ahora, Ana.")
        assert empty.buttons == ()

    async def test_the_mochila_pages_eight_items_at_a_time(
        self, inventory: InventoryModule, fan: Fan
    ) -> None:
        """Thirteen items make two pages, joined by « Siguiente » and « Anterior »; VIP items are flagged."""
        for item in inventory.mochila.catalog.items:
            await give(inventory, item.id)
        first = await fan.command("/mochila")
        assert "Guarda 13 objetos distintos:" in first.text
        assert "<i>Página 1 de 2</i>" in first.text
        assert "• <b>Antifaz de terciopelo</b> × 1 · <i>objeto</i> · VIP" in first.text
        assert len(first.labels) == 9
        assert first.labels[-1] == "Siguiente »"
        second = await fan.press("Siguiente »")
        assert "<i>Página 2 de 2</i>" in second.text
        assert second.labels == [
            "Partitura sin título × 1",
            "Rastro de perfume × 1",
            "La hora detenida × 1",
            "Ramo de rosas × 1",
            "Rosa roja × 1",
            "« Anterior",
        ]
        assert (await fan.press("« Anterior")).labels == first.labels

    async def test_help_lists_the_mochila(self, world: World, fan: Fan) -> None:
        """/ayuda and the menu offer /mochila, described from the module's texts."""
        help_text = await world.say("/ayuda")
        assert "/mochila — Abrir su mochila: objetos y pistas" in help_text


class TestCallbackData:
    def test_every_button_fits_in_64_bytes_with_the_longest_ids(self) -> None:
        """Two 64-character ids and the highest page still pack under Telegram's 64 bytes, and come back."""
        catalog = small_catalog()
        refs = ItemRefs(catalog)
        longest = refs.ref(LONGEST)
        assert len(LONGEST) == 64
        assert longest.startswith("~")
        assert refs.resolve(longest) == LONGEST
        raw = "r" * RAW_ID_LIMIT
        assert refs.ref(raw) == raw
        assert refs.resolve(raw) == raw
        for item in (longest, raw):
            packed = [
                MochilaPage(page=MAX_PAGE).pack(),
                MochilaItem(item=item, page=MAX_PAGE).pack(),
                MochilaUse(item=item, page=MAX_PAGE, confirmed=True).pack(),
                MochilaCombine(item=item, page=MAX_PAGE).pack(),
                MochilaCombineWith(item=item, other=item, page=MAX_PAGE).pack(),
            ]
            for data in packed:
                assert len(data.encode()) <= CALLBACK_DATA_LIMIT, data
        assert MochilaCombineWith.unpack(packed[-1]) == MochilaCombineWith(item=raw, other=raw, page=MAX_PAGE)

    def test_a_digest_of_no_item_resolves_to_nothing(self) -> None:
        """A long id's reference from an older catalog finds no item: the press is told it is stale."""
        assert ItemRefs(ItemCatalog()).resolve(ItemRefs(small_catalog()).ref(LONGEST)) is None

    async def test_long_ids_are_carried_by_reference_through_a_whole_combination(
        self, clock: FakeClock, server: FakeTelegramServer, tmp_path: Path
    ) -> None:
        """Two items with 64-character ids, from the creator's file, are opened and combined by reference."""
        content = tmp_path / "content"
        content.mkdir()
        (content / "objetos.yaml").write_text(LONG_IDS, encoding="utf-8")
        world = World(clock, server, data_dir=str(tmp_path))
        await world.start_polling()
        try:
            inventory = world.container.modules().get(InventoryModule)
            fan = Fan(server, ANA)
            await fan.command("/start")
            for item in (EAST, WEST):
                await inventory.grants.grant(ANA, item, note=None, idempotency_key=item)
            listing = await fan.command("/mochila")
            assert listing.data("Mapa del este × 1").startswith("mi:~")
            await fan.press("Mapa del este × 1")
            partners = await fan.press("Combinar")
            assert partners.data("Con Mapa del oeste").count("~") == 2
            combined = await fan.press("Con Mapa del oeste")
            assert "aparece <b>La carta de Diana</b>" in combined.text
        finally:
            await world.close()
        assert {item.item_id for item in (await inventory.mochila.inventory(ANA)).items} == {LETTER}


def test_every_text_the_mochila_renders_exists_with_its_variables(world: World) -> None:
    """The router and keyboards render only texts of the catalog, passing each its variables."""
    catalog = world.container.texts()
    paths = [
        REPO / "yabot_adapters" / "telegram" / "routers" / "inventory.py",
        REPO / "yabot_adapters" / "telegram" / "keyboards" / "inventory.py",
    ]
    assert check_render_calls(paths, catalog) == []
