"""/tienda end to end: the product's own composition, aiogram polling a fake Bot API, a fan buying.

The catalog is the shipped one (``yabot_app/content/items.yaml``): roses for 10 besitos, a bouquet for 25,
and a VIP mask for 120. Ana starts with the welcome's 10 besitos plus what the tests give her.
"""

from pathlib import Path

import pytest

from tests.integration.inventory_fan import Fan
from tests.integration.telegram_world import ANA, WELCOME, World
from yabot_adapters.telegram.keyboards.store import StoreBuy
from yabot_adapters.texts.checks import check_render_calls
from yabot_app.modules.inventory import InventoryModule
from yabot_core.wallet import ADMIN_GRANT

REPO = Path(__file__).resolve().parents[2]
ROSE = "rosa-roja"


@pytest.fixture(name="fan")
async def fan_fixture(world: World) -> Fan:
    """Ana, who has written /start and got her welcome besitos."""
    fan = Fan(world.server, ANA)
    await fan.command("/start")
    await world.bus.deliver_pending()
    return fan


async def roses(world: World) -> int:
    mochila = world.container.modules().get(InventoryModule).mochila
    return (await mochila.item(ANA, ROSE)).quantity


class TestBuying:
    async def test_a_fan_buys_a_rose_from_the_list_to_the_mochila(self, world: World, fan: Fan) -> None:
        """List, item, confirmation, purchase: the catalog's price, and the rose lands in the mochila."""
        await world.wallet.credit(ANA, 5, ADMIN_GRANT, idempotency_key="extra")
        shop = await fan.command("/tienda")
        assert f"Tiene usted <b>{WELCOME + 5} besitos</b>" in shop.text
        assert "Rosa roja · 10" in shop.labels
        assert "<b>Antifaz de terciopelo</b> · 120 besitos · VIP" in shop.text
        item = await fan.press("Rosa roja · 10")
        assert "Una rosa del jardín de Diana" in item.text
        confirm = await fan.press("Comprar por 10")
        assert "por <b>10 besitos</b>? Tiene 15 besitos." in confirm.text
        pressed = StoreBuy.unpack(confirm.data("Sí, comprar"))
        assert set(pressed.model_dump()) == {"item", "page", "tap"}  # the price never rides the button
        bought = await fan.press("Sí, comprar")
        assert "Le quedan <b>5 besitos</b>" in bought.text
        assert await roses(world) == 1
        assert (await world.wallet.balance(ANA)).balance == WELCOME + 5 - 10

    async def test_a_double_tap_or_a_redelivered_tap_buys_once(self, world: World, fan: Fan) -> None:
        """The same « Sí, comprar » pressed twice, and Telegram delivering it again, make one purchase."""
        await world.wallet.credit(ANA, 30, ADMIN_GRANT, idempotency_key="extra")
        await fan.command("/tienda")
        await fan.press("Rosa roja · 10")
        confirm = await fan.press("Comprar por 10")
        await fan.press("Sí, comprar")
        await fan.press_again()
        fan.screen = confirm  # the fan taps the same confirmation button once more
        again = await fan.press("Sí, comprar")
        assert "Esa compra ya está hecha" in again.text
        assert await roses(world) == 1
        assert (await world.wallet.balance(ANA)).balance == WELCOME + 30 - 10

    async def test_a_refusal_is_lucien_s_alert_and_changes_nothing(self, world: World, fan: Fan) -> None:
        """Too few besitos for the bouquet: an alert, no debit; the VIP mask, to a fan who is not VIP, is
        shown with the way to /vip and no « Comprar » (the service refuses a forged press: contract suite)."""
        await fan.command("/tienda")
        await fan.press("Ramo de rosas · 25")
        await fan.press("Comprar por 25")
        alert = await fan.press_for_alert("Sí, comprar")
        assert "No hay besitos suficientes" in alert
        await world.wallet.credit(ANA, 200, ADMIN_GRANT, idempotency_key="rich")
        await fan.command("/tienda")
        mask = await fan.press("Antifaz de terciopelo · 120")
        assert "🔒" in mask.text
        assert "/vip" in mask.text
        assert mask.labels == ["« Volver a la tienda"]  # shown, not sold: no « Comprar » for a fan outside
        assert (await world.wallet.balance(ANA)).balance == WELCOME + 200


def test_every_text_the_tienda_renders_exists_with_its_variables(world: World) -> None:
    """The router and keyboards render only texts of the catalog, passing each its variables."""
    catalog = world.container.texts()
    paths = [
        REPO / "yabot_adapters" / "telegram" / "routers" / "store.py",
        REPO / "yabot_adapters" / "telegram" / "keyboards" / "store.py",
    ]
    assert check_render_calls(paths, catalog) == []
