"""Backups, restores and the reconciliation from the shell, on real SQLite files (the CLI run in process)."""

import asyncio
import sqlite3
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner, Result

from yabot_adapters.backups import SqliteSnapshots, archives, sidecar_of, take_backup
from yabot_adapters.storage import opened
from yabot_app.cli.main import cli
from yabot_app.container import build_container
from yabot_app.lifecycle import working
from yabot_app.modules.operations import OperationsModule
from yabot_app.modules.wallet import WalletModule
from yabot_app.settings import SQLITE_FILE, Settings
from yabot_core.kernel import CorrelationId, EventId, FakeClock, TimerFired, UserId
from yabot_core.operations import BACKUP_TIMER, RECONCILE_TIMER
from yabot_core.wallet import ADMIN_GRANT

HANG_GUARD = 60.0
"""Seconds before a wait counts as hung (a hang guard, never a timing assert)."""
FANS = (UserId(11), UserId(12), UserId(13))


def yabot(data_dir: Path, *args: str) -> Result:
    """Run ``yabot ARGS`` in process on the SQLite file under ``data_dir``."""
    env = {
        "YABOT_STORAGE": "sqlite",
        "YABOT_DATA_DIR": str(data_dir),
        "YABOT_WELCOME_BESITOS": "0",
        "YABOT_SQLITE_SYNCHRONOUS": "NORMAL",
    }
    return CliRunner().invoke(cli, list(args), env=env, prog_name="yabot")


def balances(data_dir: Path) -> dict[int, int]:
    """Every wallet's balance, read straight from the file."""
    with sqlite3.connect(data_dir / SQLITE_FILE) as conn:
        return dict(conn.execute("SELECT user_id, balance FROM wallets").fetchall())


def ledger_sums(data_dir: Path) -> dict[int, int]:
    """Every user's ledger sum, read straight from the file."""
    with sqlite3.connect(data_dir / SQLITE_FILE) as conn:
        return dict(
            conn.execute("SELECT user_id, SUM(amount) FROM ledger_entries GROUP BY user_id").fetchall()
        )


def settings(data_dir: Path, **values: object) -> Settings:
    return Settings.model_validate(
        {
            "storage": "sqlite",
            "data_dir": data_dir,
            "welcome_besitos": 0,
            "sqlite_synchronous": "NORMAL",
            **values,
        }
    )


async def backup_while_crediting(data_dir: Path) -> tuple[Path, Mapping[int, int]]:
    """Credit fans one besito at a time while a backup is taken; return the archive and the final balances."""
    container = build_container(settings(data_dir), telegram=False)
    async with working(container):
        wallet = container.modules().get(WalletModule).wallet
        operations = container.modules().get(OperationsModule)
        stop = asyncio.Event()
        credited = asyncio.Event()

        async def credit(fan: UserId) -> None:
            n = 0
            while not stop.is_set():
                n += 1
                await wallet.credit(fan, 1, ADMIN_GRANT, idempotency_key=f"c:{fan}:{n}")
                if n == 20:
                    credited.set()

        async with asyncio.timeout(HANG_GUARD):
            writers = [asyncio.create_task(credit(fan)) for fan in FANS]
            await credited.wait()
            taken = await operations.backup(data_dir / "copias")
            stop.set()
            await asyncio.gather(*writers)
        final = {fan: (await wallet.balance(fan)).balance for fan in FANS}
    return taken.path, final


def test_a_backup_taken_while_the_wallet_moves_restores_consistent_balances(tmp_path: Path) -> None:
    """Backup under concurrent credits, verify ok, a flipped byte reported, restore: balances hold."""
    live = tmp_path / "datos"
    archive, final = asyncio.run(backup_while_crediting(live))

    checked = yabot(live, "backup", "verify", str(archive))
    assert checked.exit_code == 0, checked.output
    assert "está bien: sqlite" in checked.output

    damaged = tmp_path / "dañada.tar"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    sidecar_of(damaged).write_text(sidecar_of(archive).read_text())
    broken = yabot(live, "backup", "verify", str(damaged))
    assert broken.exit_code == 1
    assert "está dañada" in broken.output
    assert "suma de comprobación del archivo no coincide" in broken.output
    sidecar_of(damaged).unlink()  # without the archive's checksum, the payload's still catches it
    assert "no coincide con su suma de comprobación" in yabot(live, "backup", "verify", str(damaged)).output

    fresh = tmp_path / "nuevo"
    restored = yabot(fresh, "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert "Copia restaurada" in restored.output
    at_backup = balances(fresh)
    assert at_backup == ledger_sums(fresh)  # the copy is one instant: every balance is its ledger's sum
    assert set(at_backup) == set(FANS)
    assert all(20 <= at_backup[fan] <= final[fan] for fan in FANS)
    clean = yabot(fresh, "reconcile")
    assert clean.exit_code == 0, clean.output
    assert "Todo cuadra" in clean.output


def test_a_restore_never_overwrites_data_without_force(tmp_path: Path) -> None:
    """Restoring onto data refuses (exit 1, nothing changed); with --force it says what it replaces."""
    source, target = tmp_path / "origen", tmp_path / "destino"
    assert yabot(source, "wallet", "grant", "7", "30", "--reason", "Premio").exit_code == 0
    made = yabot(source, "backup")
    assert made.exit_code == 0, made.output
    (archive,) = archives(source / "backups")
    assert f"Última copia de seguridad: {archive}." in yabot(source, "status").output
    assert yabot(target, "wallet", "grant", "8", "5", "--reason", "Otro").exit_code == 0

    refused = yabot(target, "restore", str(archive))
    assert refused.exit_code == 1
    assert "ya tiene datos" in refused.output
    assert "--force" in refused.output
    assert balances(target) == {8: 5}

    forced = yabot(target, "restore", str(archive), "--force")
    assert forced.exit_code == 0, forced.output
    assert "Se reemplazan los datos" in forced.output
    assert "wallets: 1" in forced.output
    assert balances(target) == {7: 30}


def test_a_missing_or_foreign_file_is_one_spanish_line(tmp_path: Path) -> None:
    """A missing file, a file that is no archive, an unwritable output: a Spanish reason and exit 1."""
    missing = yabot(tmp_path, "backup", "verify", str(tmp_path / "no-existe.tar"))
    assert missing.exit_code == 1
    assert "no existe" in missing.output
    junk = tmp_path / "basura.tar"
    junk.write_text("no soy un tar")
    foreign = yabot(tmp_path, "restore", str(junk))
    assert foreign.exit_code == 1
    assert "No se puede leer el archivo de copia" in foreign.output
    assert not (tmp_path / SQLITE_FILE).exists()
    blocked = yabot(tmp_path, "backup", "--salida", str(junk / "copias"))
    assert blocked.exit_code == 1
    where = junk / "copias"
    assert f"No se puede escribir la copia en {where}: parte de la ruta no es un directorio" in blocked.output


def test_a_ledger_entry_deleted_behind_the_apps_back_is_found_and_repaired(tmp_path: Path) -> None:
    """Reconcile finds a balance off its ledger's sum (exit 1, event published); --reparar fixes it."""
    for key, amount in (("a", 30), ("b", 12)):
        assert (
            yabot(tmp_path, "wallet", "grant", "5", str(amount), "--reason", "Premio", "--key", key).exit_code
            == 0
        )
    with sqlite3.connect(tmp_path / SQLITE_FILE) as conn:
        conn.execute("DELETE FROM ledger_entries WHERE idempotency_key = 'b'")

    found = yabot(tmp_path, "reconcile")
    assert found.exit_code == 1
    assert (
        "monedero del usuario 5: el saldo guardado es 42 besitos, pero sus movimientos suman 30"
        in found.output
    )
    assert "--reparar" in found.output
    with sqlite3.connect(tmp_path / SQLITE_FILE) as conn:
        (published,) = conn.execute(
            "SELECT COUNT(*) FROM outbox_records WHERE event_type = 'operations.data_inconsistency_detected'"
        ).fetchone()
    assert published == 1

    repaired = yabot(tmp_path, "reconcile", "--reparar")
    assert repaired.exit_code == 0, repaired.output
    assert "(reparado)" in repaired.output
    assert balances(tmp_path) == {5: 30}
    assert "operations.wallet_repair" in yabot(tmp_path, "audit", "list").output
    assert yabot(tmp_path, "reconcile").exit_code == 0


async def test_backups_and_reconciliation_wait_on_one_timer_per_slot(
    tmp_path: Path, clock: FakeClock
) -> None:
    """However many processes start, each slot holds one backup timer and one reconciliation timer."""
    for _ in range(2):  # two processes starting on the same file
        container = build_container(settings(tmp_path, backup_hours=6), telegram=False, clock=clock)
        async with opened(container.storage()) as storage:
            await container.modules().get(OperationsModule).schedule()
            pending = await storage.timer_store.pending(limit=10)
    assert sorted(timer.kind for timer in pending) == [BACKUP_TIMER, RECONCILE_TIMER]
    backup_timer = next(timer for timer in pending if timer.kind == BACKUP_TIMER)
    assert backup_timer.due_at.timestamp() % (6 * 3600) == 0


async def test_automatic_backups_keep_the_newest(tmp_path: Path, clock: FakeClock) -> None:
    """Each automatic backup removes the oldest beyond YABOT_BACKUP_KEEP."""
    container = build_container(settings(tmp_path, backup_keep=2), telegram=False, clock=clock)
    async with opened(container.storage()):
        operations = container.modules().get(OperationsModule)
        taken = []
        for _ in range(3):
            taken.append(await operations.backup(keep=operations.backup_keep))
            clock.advance(timedelta(seconds=1))
    assert archives(tmp_path / "backups") == [taken[1].path, taken[2].path]
    assert taken[2].pruned == (taken[0].path,)


async def test_the_backup_timer_takes_a_backup_and_books_the_next_slot(
    tmp_path: Path, clock: FakeClock
) -> None:
    """When a slot's timer fires, its handler backs up into YABOT_BACKUP_DIR and schedules the next slot."""
    values = {"backup_hours": 6, "backup_dir": tmp_path / "auto"}
    container = build_container(settings(tmp_path, **values), telegram=False, clock=clock)
    async with opened(container.storage()) as storage:
        (handler,) = (
            s.handler for s in container.event_routes().subscriptions if s.name == "operations.backup"
        )
        fired = TimerFired(
            event_id=EventId("e"),
            occurred_at=clock.now(),
            correlation_id=CorrelationId("c"),
            key=f"{BACKUP_TIMER}:0",
            kind=BACKUP_TIMER,
            due_at=clock.now(),
        )
        await handler(fired)
        pending = await storage.timer_store.pending(limit=10, kind=BACKUP_TIMER)
    (archive,) = archives(tmp_path / "auto")
    assert archive.name.startswith("yabot-sqlite-")
    assert [timer.due_at > clock.now() for timer in pending] == [True]


def test_a_backup_of_a_newer_yabot_is_not_restored(tmp_path: Path, clock: FakeClock) -> None:
    """An archive whose schema is newer than this code's is refused before anything is written."""
    source = tmp_path / "origen"
    assert yabot(source, "wallet", "grant", "7", "30", "--reason", "Premio").exit_code == 0
    with sqlite3.connect(source / SQLITE_FILE) as conn:
        conn.execute("UPDATE schema_versions SET version = 99 WHERE module = 'wallets'")
    snapshots = SqliteSnapshots(source / SQLITE_FILE)
    taken = asyncio.run(take_backup(snapshots, tmp_path / "copias", clock.now()))

    refused = yabot(tmp_path / "destino", "restore", str(taken.path))
    assert refused.exit_code == 1
    assert "versión más reciente de YABOT (módulo wallets en la versión 99" in refused.output
    assert not (tmp_path / "destino" / SQLITE_FILE).exists()
