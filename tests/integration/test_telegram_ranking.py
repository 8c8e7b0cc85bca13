"""/ranking end to end: the product's composition, the bus counting credits, a fan reading and hiding."""

from pathlib import Path

from tests.integration.inventory_fan import Fan
from tests.integration.telegram_world import ANA, WELCOME, World
from yabot_adapters.texts.checks import check_render_calls
from yabot_core.kernel import UserId
from yabot_core.wallet import ADMIN_DEDUCTION, ADMIN_GRANT

REPO = Path(__file__).resolve().parents[2]
BEA = UserId(ANA + 1)


async def test_a_fan_sees_who_earned_most_and_can_hide(world: World) -> None:
    """Credits reach the ranking through the bus; spending lowers nothing; hiding and coming back work."""
    ana, bea = Fan(world.server, ANA), Fan(world.server, BEA, first_name="Bea")
    await ana.command("/start")
    await bea.command("/start")
    await world.bus.deliver_pending()  # the welcome's besitos
    await world.wallet.credit(BEA, 25, ADMIN_GRANT, idempotency_key="bea-gana")
    await world.wallet.debit(BEA, 30, ADMIN_DEDUCTION, idempotency_key="bea-gasta")
    await world.bus.deliver_pending()

    board = await ana.command("/ranking")
    assert f"1. Bea · {WELCOME + 25} besitos\n2. Ana · {WELCOME} besitos" in board.text
    assert f"Usted ocupa el puesto <b>2</b> con {WELCOME} besitos." in board.text
    assert "/ranking ocultarme" in board.text

    hidden = await bea.command("/ranking ocultarme")
    assert "su nombre ya no figura en el ranking" in hidden.text
    assert "Bea" not in (await ana.command("/ranking")).text
    assert "Usted pidió no aparecer" in (await bea.command("/ranking")).text
    await bea.command("/ranking mostrarme")
    assert "1. Bea" in (await ana.command("/ranking")).text
    assert "no entiendo «subir»" in (await ana.command("/ranking subir")).text


def test_every_text_the_ranking_renders_exists_with_its_variables(world: World) -> None:
    """The router renders only texts of the catalog, passing each its variables."""
    paths = [REPO / "yabot_adapters" / "telegram" / "routers" / "ranking.py"]
    assert check_render_calls(paths, world.container.texts()) == []
