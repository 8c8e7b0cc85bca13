"""`yabot reconcile` on the tienda: counters against purchases, on the SQLite file, in process."""

import asyncio
import json
import sqlite3
from pathlib import Path

from tests.app.test_backups import settings, yabot
from yabot_adapters.storage import opened
from yabot_app.container import build_container
from yabot_app.modules.store import StoreModule
from yabot_app.modules.wallet import WalletModule
from yabot_app.settings import SQLITE_FILE
from yabot_core.kernel import UserId
from yabot_core.wallet import ADMIN_GRANT

ANA, LUIS = UserId(21), UserId(22)
ROSE = "rosa-roja"


async def buy_roses(data_dir: Path) -> None:
    """Ana buys two roses, Luis one, through the tienda (the shipped catalog: 10 besitos each)."""
    container = build_container(settings(data_dir))
    modules = container.modules()
    wallet, store = modules.get(WalletModule).wallet, modules.get(StoreModule).store
    async with opened(container.storage()):
        for fan, taps in ((ANA, ("t1", "t2")), (LUIS, ("t1",))):
            await wallet.credit(fan, 30, ADMIN_GRANT, idempotency_key=f"fondos-{fan}")
            for tap in taps:
                await store.purchase(fan, ROSE, tap=tap)


def sold(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / SQLITE_FILE) as conn:
        (count,) = conn.execute("SELECT sold FROM store_stock WHERE item_id = ?", (ROSE,)).fetchone()
    return int(count)


def test_a_sold_counter_changed_behind_the_apps_back_is_found_and_repaired(tmp_path: Path) -> None:
    """Clean after real purchases; a raw UPDATE on the sold counter is found (exit 1, event), --reparar
    sets it back to the purchases' count, audited; then all is clean again."""
    asyncio.run(buy_roses(tmp_path))  # the CLI runs its own loop: the test holds none
    clean = yabot(tmp_path, "reconcile")
    assert clean.exit_code == 0, clean.output
    assert "Todo cuadra" in clean.output

    with sqlite3.connect(tmp_path / SQLITE_FILE) as conn:
        conn.execute("UPDATE store_stock SET sold = sold + 5 WHERE item_id = ?", (ROSE,))
        conn.execute("DELETE FROM store_buyers WHERE user_id = ?", (LUIS,))
    found = yabot(tmp_path, "reconcile")
    assert found.exit_code == 1
    assert "tienda, vendidos de «rosa-roja»: el contador dice 8, pero hay 3 compras guardadas" in found.output
    assert (
        "tienda, compras del usuario 22 de «rosa-roja»: el contador dice 0, pero hay 1 compras"
        in found.output
    )
    assert "Inconsistencias encontradas: 2" in found.output
    with sqlite3.connect(tmp_path / SQLITE_FILE) as conn:
        published = conn.execute(
            "SELECT payload FROM outbox_records WHERE event_type = 'operations.data_inconsistency_detected'"
        ).fetchall()
    assert [json.loads(payload)["check"] for (payload,) in published] == ["store.purchases"] * 2

    repaired = yabot(tmp_path, "reconcile", "--reparar")
    assert repaired.exit_code == 0, repaired.output
    assert repaired.output.count("(reparado)") == 2
    assert sold(tmp_path) == 3
    assert "operations.store_count_repair" in yabot(tmp_path, "audit", "list").output
    assert yabot(tmp_path, "reconcile").exit_code == 0
