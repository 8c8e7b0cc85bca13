"""The creator's texts reach the fans: an override in YABOT_DATA_DIR/content/ changes what /saldo says."""

import logging
import textwrap
from pathlib import Path

import pytest

from tests.integration.telegram_world import World
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_core.kernel import FakeClock

SHIPPED_HEADER = "Permítame consultar el libro de cuentas"
OVERRIDES = """\
    # Diana's own words for the head of /saldo, in two versions.
    wallet-balance-header = Abramos juntos el cofre de Diana, <b>{ $nombre }</b>.
        .variante-2 = Veamos qué guarda su cofre, <b>{ $nombre }</b>.
"""
FIRST, SECOND = "Abramos juntos el cofre de Diana, <b>Ana</b>.", "Veamos qué guarda su cofre, <b>Ana</b>."
BROKEN = """\
    # A variable /saldo does not have, and a placeable never closed.
    wallet-balance-header = Su cofre, { $apodo }.
    wallet-ledger-empty = Nada por aquí, { $nombre
"""


def data_dir(tmp_path: Path, overrides: str) -> Path:
    """A YABOT_DATA_DIR whose content/textos.ftl holds ``overrides``."""
    content = tmp_path / "data" / "content"
    content.mkdir(parents=True)
    (content / "textos.ftl").write_text(textwrap.dedent(overrides), encoding="utf-8")
    return tmp_path / "data"


async def test_an_override_with_variants_changes_the_balance(
    tmp_path: Path, clock: FakeClock, server: FakeTelegramServer
) -> None:
    """/saldo opens with one of the creator's two versions, never with the shipped words."""
    world = World(clock, server, data_dir=str(data_dir(tmp_path, OVERRIDES)))
    await world.start_polling()
    try:
        await world.say("/start")
        await world.bus.deliver_pending()
        for _ in range(4):
            balance = await world.say("/saldo")
            header = balance.split("\n\n")[0]
            assert header in {FIRST, SECOND}
            assert "Dispone usted de <b>10 besitos</b>." in balance  # the rest is still the shipped text
    finally:
        await world.close()


async def test_a_broken_override_is_reported_at_start_up_and_the_shipped_text_stays(
    tmp_path: Path, clock: FakeClock, server: FakeTelegramServer, caplog: pytest.LogCaptureFixture
) -> None:
    """An unknown variable or a syntax error is logged in Spanish with file and line; /saldo is unharmed."""
    with caplog.at_level(logging.WARNING, logger="yabot_app.container"):
        world = World(clock, server, data_dir=str(data_dir(tmp_path, BROKEN)))
    logged = [record.getMessage() for record in caplog.records if record.name == "yabot_app.container"]
    assert any(
        line.startswith("content/textos.ftl, línea 2:") and "$apodo" in line and "original" in line
        for line in logged
    ), logged
    assert any(line.startswith("content/textos.ftl, línea 3:") for line in logged), logged
    await world.start_polling()
    try:
        balance = await world.say("/saldo")
    finally:
        await world.close()
    assert balance.startswith(f"{SHIPPED_HEADER}, <b>Ana</b>")
    assert "apodo" not in balance
