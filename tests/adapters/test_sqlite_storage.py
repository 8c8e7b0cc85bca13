"""The SQLite backend passes the storage contract, and keeps its promises across processes and failures."""

import asyncio
import contextlib
import itertools
import json
import sqlite3
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from pathlib import Path

import pytest

from tests.adapters.sqlite_helpers import CREDIT, WALLET_OWNER, credit_many
from tests.contracts.common import (
    ALICE,
    OPERATOR,
    BoomError,
    api_keys_over,
    make_dead_letter,
    make_entry,
    make_user,
    record_everything,
    recorded,
)
from tests.contracts.factory import StorageFactory
from tests.contracts.storage import StorageContract
from yabot_adapters.sqlite import SqliteStorage
from yabot_adapters.sqlite.schema import LAYOUT, migrate, rollback, versions
from yabot_adapters.sqlite.slices import SLICES
from yabot_adapters.sqlite.writer import WRITER_STOPPED
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork, opened
from yabot_adapters.units import Committed
from yabot_core.apikeys import USERS_READ, RevokedKeyError
from yabot_core.kernel import (
    CorrelationId,
    EventId,
    FakeClock,
    SequentialIds,
    UnavailableError,
    UserId,
    correlation_scope,
    new_timer,
    parse_event,
)
from yabot_core.users import UserDirectory
from yabot_core.wallet import ADMIN_GRANT, BesitosAwarded, LedgerEntry, WalletService

REPO = Path(__file__).resolve().parents[2]


def opened_at(path: Path, clock: FakeClock, **options: object) -> AbstractAsyncContextManager[SqliteStorage]:
    storage = SqliteStorage(path, clock, **options)  # type: ignore[arg-type]
    record_everything(storage)
    return opened(storage)


class TestSqliteStorage(StorageContract):
    stateful_examples = 25
    auction_examples = 15

    @pytest.fixture(name="storage_factory")
    def storage_factory_fixture(self, tmp_path: Path) -> StorageFactory:
        numbers = itertools.count()

        def factory(clock: FakeClock) -> AbstractAsyncContextManager[StorageBackend]:
            return opened_at(tmp_path / f"db-{next(numbers)}" / "yabot.sqlite3", clock)

        return factory


# --- helpers -------------------------------------------------------------------------------------------


@pytest.fixture(name="path")
def path_fixture(tmp_path: Path) -> Path:
    return tmp_path / "data" / "yabot.sqlite3"


async def start_helper(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.adapters.sqlite_helpers",
        *args,
        cwd=REPO,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def expect_line(process: asyncio.subprocess.Process, expected: str) -> None:
    assert process.stdout is not None
    line = (await process.stdout.readline()).decode().strip()
    if line != expected:
        _, err = await process.communicate()
        pytest.fail(f"helper said {line!r}, expected {expected!r}; stderr:\n{err.decode()}")


async def say(process: asyncio.subprocess.Process, line: str) -> None:
    assert process.stdin is not None
    process.stdin.write(f"{line}\n".encode())
    await process.stdin.drain()


async def whole_ledger(storage: StorageBackend, user: UserId) -> list[LedgerEntry]:
    total = (await storage.wallet_queries.statement(user, limit=1, offset=0)).history.total
    pages = [await storage.wallet_queries.statement(user, limit=100, offset=o) for o in range(0, total, 100)]
    return [entry for page in pages for entry in page.history.entries]


def wallet_of(storage: StorageBackend, clock: FakeClock, prefix: str = "w") -> WalletService:
    return WalletService(storage.transactions, storage.wallet_queries, clock, SequentialIds(prefix))


LOCKS = {
    # A file still in rollback-journal mode, written by another program: an exclusive lock stops even the
    # first read of the schema (as a last connection checkpointing a WAL file on close does, briefly).
    "every read": ("DELETE", 1, "BEGIN EXCLUSIVE"),
    # A new file another process is creating: switching it to WAL needs it alone.
    "the switch to WAL": ("DELETE", 0, "BEGIN IMMEDIATE"),
    # A WAL file that still needs its schema: migrating needs the write lock.
    "the migration": ("WAL", 0, "BEGIN IMMEDIATE"),
}


@contextlib.contextmanager
def held(path: Path, what: str) -> Iterator[sqlite3.Connection]:
    """Another connection prepares ``path`` as ``LOCKS[what]`` says and holds that lock; yields it."""
    journal_mode, version, begin = LOCKS[what]
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA journal_mode = {journal_mode}")
        if version:
            migrate(conn, SLICES)
        conn.execute(begin)
        yield conn
    finally:
        conn.close()


# --- SQLite's own promises -----------------------------------------------------------------------------


async def test_data_survives_close_and_reopen(path: Path, clock: FakeClock) -> None:
    """Everything committed is still there, equal, after closing the file and opening it again."""
    letter = make_dead_letter(clock, "dl")
    async with opened_at(path, clock) as storage:
        entry = await wallet_of(storage, clock).credit(ALICE, 7, ADMIN_GRANT, idempotency_key="k")

        async def work(uow: StorageUnitOfWork) -> None:
            await uow.users.save(make_user(clock))
            await uow.dead_letters.save(letter)

        await storage.transactions.run(work)
        before = await recorded(storage)
    async with opened_at(path, clock) as storage:
        assert (await storage.wallet_queries.balance(ALICE)).balance == 7
        assert (await storage.wallet_queries.statement(ALICE, limit=10, offset=0)).history.entries == (entry,)
        assert await storage.user_queries.get(ALICE) == make_user(clock)
        assert await storage.dead_letter_queries.get("dl") == letter
        assert await recorded(storage) == before
        assert len(before) == 1


async def test_acknowledged_records_leave_no_rows_behind(path: Path, clock: FakeClock) -> None:
    """A record stays while a handler still owes it, goes with the last; repeats and unknown ids count 0."""

    def rows() -> list[tuple[str, int]]:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            return conn.execute("SELECT event_id, owed FROM outbox_records ORDER BY position").fetchall()
        finally:
            conn.close()

    async with opened_at(path, clock) as storage:
        storage.route_events(lambda _event: ("a", "b"))
        wallet = wallet_of(storage, clock)
        for n in range(3):
            await wallet.credit(ALICE, 1, ADMIN_GRANT, idempotency_key=f"k{n}")
        ids = [record.event_id for record in await storage.outbox.pending("a", 10)]
        await storage.outbox.acknowledge("a", [ids[0], ids[0], EventId("unknown"), ids[1]])
        assert rows() == [(ids[0], 1), (ids[1], 1), (ids[2], 2)]
        await storage.outbox.acknowledge("b", ids[:2])
        assert rows() == [(ids[2], 2)]
        clock.advance(timedelta(hours=1))
        assert await storage.outbox.expire("a", clock.now()) == 1
        assert await storage.outbox.expire("a", clock.now()) == 0
        assert rows() == [(ids[2], 1)]
        assert await storage.outbox.expire("b", clock.now()) == 1
        assert rows() == []


async def test_migrations_apply_once_and_record_each_module(path: Path, clock: FakeClock) -> None:
    """Opening creates the directory and every module's schema; opening again changes nothing."""
    async with opened_at(path, clock) as storage:
        await wallet_of(storage, clock).credit(ALICE, 1, ADMIN_GRANT, idempotency_key="k")
    async with opened_at(path, clock) as storage:
        await storage.ping()
        assert (await storage.wallet_queries.balance(ALICE)).balance == 1
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        assert conn.execute("PRAGMA user_version").fetchone() == (LAYOUT,)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert versions(conn) == {piece.name: piece.latest for piece in SLICES}
        assert migrate(conn, SLICES) == versions(conn)
    finally:
        conn.close()


def test_each_module_migrates_down_and_up_again(path: Path) -> None:
    """Every module's migrations are reversible: down to 0 removes its tables, up rebuilds the same schema."""
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path, isolation_level=None)

    def schema() -> list[tuple[str, str]]:
        rows = conn.execute(
            "SELECT name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        )
        return rows.fetchall()

    try:
        assert migrate(conn, SLICES) == {}
        built = schema()
        assert {
            "wallets",
            "ledger_entries",
            "holds",
            "users",
            "outbox_records",
            "dead_letters",
            "timers",
        } <= {name for name, _ in built}
        for piece in SLICES:
            rollback(conn, piece, 0)
        assert [name for name, _ in schema()] == ["schema_versions"]
        assert set(versions(conn).values()) == {0}
        migrate(conn, SLICES)
        assert schema() == built
    finally:
        conn.close()


FIRST_RELEASE_SCHEMA = """
CREATE TABLE users (user_id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT, username TEXT,
    language_code TEXT, source TEXT NOT NULL, registered_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE wallets (user_id INTEGER PRIMARY KEY, balance INTEGER NOT NULL CHECK (balance >= 0),
    sequence INTEGER NOT NULL CHECK (sequence >= 0));
CREATE TABLE ledger_entries (entry_id TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES wallets (user_id),
    sequence INTEGER NOT NULL, amount INTEGER NOT NULL, reason TEXT NOT NULL, note TEXT,
    idempotency_key TEXT NOT NULL UNIQUE, correlation_id TEXT NOT NULL, created_at TEXT NOT NULL,
    balance_after INTEGER NOT NULL, hold_id TEXT, UNIQUE (user_id, sequence));
CREATE TABLE holds (hold_id TEXT PRIMARY KEY, user_id INTEGER NOT NULL, amount INTEGER NOT NULL,
    purpose TEXT NOT NULL, reference TEXT, status TEXT NOT NULL, created_at TEXT NOT NULL, settled_at TEXT);
CREATE INDEX holds_by_user ON holds (user_id, status);
CREATE TABLE outbox (position INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL, payload TEXT NOT NULL, user_id INTEGER, created_at TEXT NOT NULL,
    handled_by TEXT NOT NULL DEFAULT '[]');
CREATE TABLE dead_letters (dead_letter_id TEXT PRIMARY KEY, event_id TEXT NOT NULL,
    event_type TEXT NOT NULL, payload TEXT NOT NULL, user_id INTEGER, handler TEXT NOT NULL,
    error TEXT NOT NULL, attempts INTEGER NOT NULL, failed_at TEXT NOT NULL, replayed_at TEXT);
CREATE INDEX dead_letters_by_failure ON dead_letters (failed_at);
CREATE TABLE leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at TEXT NOT NULL);
PRAGMA user_version = 1;
"""
"""What YABOT's first release wrote (its one migration), to prove such files move forward intact."""


async def test_a_first_release_file_moves_forward_without_loss(path: Path, clock: FakeClock) -> None:
    """A file of the first release keeps its users, ledger and dead letters; pending events keep their
    handlers (under their new names), and the ones already handled are not delivered again."""
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path, isolation_level=None)
    at = "2026-01-01T12:00:00.000000+00:00"
    try:
        conn.executescript(FIRST_RELEASE_SCHEMA)
        conn.execute(
            "INSERT INTO users VALUES (1001, 'Alicia', NULL, NULL, NULL, 'telegram', ?, ?)", (at, at)
        )
        conn.execute("INSERT INTO wallets VALUES (1001, 10, 1)")
        conn.execute(
            "INSERT INTO ledger_entries VALUES ('e1', 1001, 1, 10, 'welcome_gift', NULL,"
            " 'yabot:welcome:1001', 'c', ?, 10, NULL)",
            (at,),
        )
        payload = '{"type": "besitos.awarded"}'
        conn.executemany(
            "INSERT INTO outbox (event_id, event_type, payload, user_id, created_at, handled_by)"
            " VALUES (?, ?, ?, 1001, ?, ?)",
            [
                ("ev-new", "user.registered", payload, at, "[]"),
                ("ev-done", "user.registered", payload, at, '["gamification.welcome_gift"]'),
                ("ev-grant", "besitos.awarded", payload, at, "[]"),
                ("ev-ignored", "besitos.spent", payload, at, "[]"),
                ("ev-failed", "bus.event_processing_failed", payload, at, "[]"),
            ],
        )
        conn.execute(
            "INSERT INTO dead_letters VALUES ('dl', 'ev-x', 'besitos.awarded', '{}', 1001,"
            " 'telegram.notify_besitos_awarded', 'boom', 3, ?, NULL)",
            (at,),
        )
        conn.execute(
            "INSERT INTO dead_letters VALUES ('dl-alert', 'ev-y', 'bus.event_processing_failed', '{}', NULL,"
            " 'telegram.alert_admins', 'boom', 3, ?, NULL)",
            (at,),
        )
    finally:
        conn.close()

    async with opened_at(path, clock) as storage:
        alice = await storage.user_queries.get(ALICE)
        assert alice is not None
        assert (alice.first_name, alice.blocked_at) == ("Alicia", None)
        statement = await storage.wallet_queries.statement(ALICE, limit=10, offset=0)
        assert (statement.balance.balance, statement.history.entries[0].entry_id) == (10, "e1")
        assert [r.event_id for r in await storage.outbox.pending("welcome.gift", 10)] == ["ev-new"]
        assert [r.event_id for r in await storage.outbox.pending("wallet.grant_notice", 10)] == ["ev-grant"]
        # The admins' alert of a failed handler was renamed twice since (Telegram's, Lucien's, operations').
        assert [r.event_id for r in await storage.outbox.pending("operations.dead_letter_alert", 10)] == [
            "ev-failed"
        ]
        assert await storage.outbox.backlog() == {
            "welcome.gift": 1,
            "wallet.grant_notice": 1,
            "operations.dead_letter_alert": 1,
        }
        alert = await storage.dead_letter_queries.get("dl-alert")
        assert alert is not None
        assert alert.handler == "operations.dead_letter_alert"
        letter = await storage.dead_letter_queries.get("dl")
        assert letter is not None
        assert letter.handler == "wallet.grant_notice"
        await wallet_of(storage, clock).credit(ALICE, 5, ADMIN_GRANT, idempotency_key="after")
        assert (await storage.wallet_queries.balance(ALICE)).balance == 15
        directory = UserDirectory(storage.transactions, storage.user_queries, clock, SequentialIds("u"))
        blocked = await directory.mark_unreachable(ALICE)
        assert blocked is not None
        assert await storage.user_queries.get(ALICE) == blocked


async def test_closed_storage_refuses_work(path: Path, clock: FakeClock) -> None:
    """After close, units of work and reads fail with UnavailableError rather than a driver error."""
    async with opened_at(path, clock) as storage:
        pass

    async def work(uow: StorageUnitOfWork) -> None:
        await uow.wallets.get(ALICE)

    with pytest.raises(UnavailableError):
        await storage.transactions.run(work)
    with pytest.raises(UnavailableError):
        await storage.wallet_queries.balance(ALICE)
    with pytest.raises(UnavailableError):
        await storage.ping()


async def test_ping_fails_once_the_writer_has_stopped(path: Path, clock: FakeClock) -> None:
    """With the writer task dead, reads still answer but ping (and so /readyz) says writes cannot commit."""
    async with opened_at(path, clock) as storage:
        await storage.ping()
        (writer,) = [task for task in asyncio.all_tasks() if task.get_name() == "yabot-sqlite-writer"]
        writer.cancel()  # as a loop tearing down, or a bug escaping the writer, would end it
        with contextlib.suppress(asyncio.CancelledError):
            await writer

        assert (await storage.wallet_queries.balance(ALICE)).balance == 0
        with pytest.raises(UnavailableError) as refused:
            await storage.ping()
        assert refused.value.message == WRITER_STOPPED
        assert refused.value.detail == {"storage": "sqlite"}
        with pytest.raises(UnavailableError, match="escritura"):
            await wallet_of(storage, clock).credit(ALICE, 1, ADMIN_GRANT, idempotency_key="k")
    async with opened_at(path, clock) as reopened:  # closing the dead writer raised nothing; a reopen writes
        await reopened.ping()
        await wallet_of(reopened, clock).credit(ALICE, 1, ADMIN_GRANT, idempotency_key="k")


async def test_a_newer_schema_is_refused_in_spanish(path: Path, clock: FakeClock) -> None:
    """A file a newer YABOT migrated past what this code knows is refused in Spanish, and left as is."""
    async with opened_at(path, clock):
        pass
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA user_version = 99")
    finally:
        conn.close()

    with pytest.raises(UnavailableError) as refused:
        async with opened_at(path, clock):
            pass
    assert refused.value.message == (
        f"La base de datos {path} es de una versión más reciente de YABOT (disposición 99): actualice YABOT."
    )
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        assert conn.execute("PRAGMA user_version").fetchone() == (99,)
    finally:
        conn.close()


async def test_an_unusable_data_directory_is_named_in_spanish(tmp_path: Path, clock: FakeClock) -> None:
    """A data directory that is a file, or a database path that is a directory, is named in the message."""
    not_a_directory = tmp_path / "datos"
    not_a_directory.write_text("soy un archivo")
    with pytest.raises(UnavailableError) as refused:
        await SqliteStorage(not_a_directory / "yabot.sqlite3", clock).open()
    assert refused.value.message == (
        f"No se puede usar el directorio de datos {not_a_directory}: existe pero no es un directorio; "
        "revise YABOT_DATA_DIR."
    )
    assert isinstance(refused.value.__cause__, FileExistsError)
    assert refused.value.detail == {"storage": "sqlite"}

    (tmp_path / "otro" / "yabot.sqlite3").mkdir(parents=True)
    with pytest.raises(UnavailableError) as refused:
        await SqliteStorage(tmp_path / "otro" / "yabot.sqlite3", clock).open()
    assert refused.value.message == (
        f"No se puede usar el directorio de datos {tmp_path / 'otro'}: yabot.sqlite3 es un directorio, "
        "no un archivo; revise YABOT_DATA_DIR."
    )
    assert isinstance(refused.value.__cause__, sqlite3.Error)


@pytest.mark.parametrize("what", list(LOCKS))
async def test_opening_waits_for_another_process_lock(path: Path, clock: FakeClock, what: str) -> None:
    """Another connection's lock on any step of the open is waited for; once released, the open succeeds."""
    with held(path, what) as other:
        asyncio.get_running_loop().call_later(1.0, other.execute, "ROLLBACK")
        async with opened_at(path, clock) as storage:
            assert not other.in_transaction  # the open waited for the release
            await wallet_of(storage, clock).credit(ALICE, 1, ADMIN_GRANT, idempotency_key="k")
            assert (await storage.wallet_queries.balance(ALICE)).balance == 1


@pytest.mark.parametrize("what", list(LOCKS))
async def test_a_lock_held_past_the_patience_is_busy(path: Path, clock: FakeClock, what: str) -> None:
    """A lock on any step of the open held past the patience fails it as busy, not as a bad directory."""
    with held(path, what):
        storage = SqliteStorage(path, clock, busy_patience=0.2)
        with pytest.raises(UnavailableError) as refused:
            await storage.open()
    assert "sigue bloqueado por otro proceso de YABOT" in refused.value.message
    assert "directorio" not in refused.value.message
    assert refused.value.detail == {"storage": "sqlite"}
    assert isinstance(refused.value.__cause__, sqlite3.OperationalError)
    async with opened_at(path, clock) as storage:  # the failed open left nothing behind that blocks a retry
        await storage.ping()


async def test_an_up_to_date_file_opens_while_another_process_writes(path: Path, clock: FakeClock) -> None:
    """Opening a file at the latest schema takes no write lock, so it does not wait for another writer."""
    async with opened_at(path, clock) as storage:
        await wallet_of(storage, clock).credit(ALICE, 2, ADMIN_GRANT, idempotency_key="a")
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO leases (name, owner, expires_at) VALUES ('cli', 'other process', '')")
        # The writer holds its lock until the open returns (a write lock taken at open would fail it busy).
        async with opened(SqliteStorage(path, clock, busy_patience=60)) as storage:
            assert writer.in_transaction
            assert (await storage.wallet_queries.balance(ALICE)).balance == 2
            writer.execute("COMMIT")
            await wallet_of(storage, clock).credit(ALICE, 3, ADMIN_GRANT, idempotency_key="b")
            assert (await storage.wallet_queries.balance(ALICE)).balance == 5
    finally:
        writer.close()


def test_a_migration_finished_meanwhile_is_not_applied_again(path: Path) -> None:
    """Migrate reads the version again under the write lock: a step applied meanwhile is not applied twice."""
    path.parent.mkdir(parents=True)
    late = sqlite3.connect(path, isolation_level=None)
    first = sqlite3.connect(path, isolation_level=None)

    def another_process_wins(statement: str) -> None:
        # ``late`` has read version 0 without the lock and is about to take it: ``first`` migrates meanwhile.
        if statement == "BEGIN IMMEDIATE":
            late.set_trace_callback(None)
            assert migrate(first, SLICES) == {}

    try:
        late.set_trace_callback(another_process_wins)
        assert migrate(late, SLICES) == {piece.name: piece.latest for piece in SLICES}  # found done
        assert versions(late) == {piece.name: piece.latest for piece in SLICES}
    finally:
        late.close()
        first.close()


async def test_close_lets_queued_work_commit(path: Path, clock: FakeClock) -> None:
    """Work already queued when close is called still commits before the file is closed."""
    storage = SqliteStorage(path, clock)
    await storage.open()
    wallet = wallet_of(storage, clock)
    results = await asyncio.gather(
        *(wallet.credit(ALICE, 1, ADMIN_GRANT, idempotency_key=f"k{n}") for n in range(50)),
        storage.close(),
    )
    assert len([r for r in results if isinstance(r, LedgerEntry)]) == 50
    async with opened_at(path, clock) as reopened:
        assert (await reopened.wallet_queries.balance(ALICE)).balance == 50


async def test_a_failing_work_does_not_undo_the_rest_of_its_batch(path: Path, clock: FakeClock) -> None:
    """Works of one batch commit even when others of that batch raise; the failures leave no trace."""
    commits: list[int] = []

    def numbered(n: int) -> Callable[[StorageUnitOfWork], Awaitable[int]]:
        return lambda uow: work(uow, n)

    async def work(uow: StorageUnitOfWork, n: int) -> int:
        entry = make_entry(clock, await uow.wallets.get(ALICE), 2, f"k{n}")
        await uow.wallets.append(entry)
        uow.record(
            BesitosAwarded(
                event_id=EventId(f"ev-{n}"),
                occurred_at=clock.now(),
                correlation_id=CorrelationId("c"),
                user_id=ALICE,
                amount=2,
                balance_after=entry.balance_after,
                reason=ADMIN_GRANT,
                entry_id=entry.entry_id,
            )
        )
        if n % 3 == 0:
            raise BoomError(n)
        return n

    async with opened_at(path, clock) as storage:
        storage.add_commit_listener(lambda _commit: commits.append(1))
        outcomes = await asyncio.gather(
            *(storage.transactions.run(numbered(n)) for n in range(300)),
            return_exceptions=True,
        )
        kept = [n for n in range(300) if n % 3]
        assert [o for o in outcomes if not isinstance(o, BoomError)] == kept
        failed = {n: outcomes[n] for n in range(0, 300, 3)}
        assert all(isinstance(o, BoomError) and o.args == (n,) for n, o in failed.items())
        ledger = await whole_ledger(storage, ALICE)
        assert sorted(e.idempotency_key for e in ledger) == sorted(f"k{n}" for n in kept)
        assert sorted(e.sequence for e in ledger) == list(range(1, len(kept) + 1))
        assert (await storage.wallet_queries.balance(ALICE)).balance == 2 * len(kept)
        pending = await recorded(storage)
        assert sorted(r.event_id for r in pending) == sorted(f"ev-{n}" for n in kept)
        assert 1 <= len(commits) < len(kept), "the works were not grouped into shared commits"


async def test_works_run_in_the_callers_context(path: Path, clock: FakeClock) -> None:
    """Works share the writer's batch yet each sees its caller's context, so events keep their correlation."""
    async with opened_at(path, clock) as storage:
        wallet = wallet_of(storage, clock)
        callers = []
        for key in ("update-1", "update-2"):
            with correlation_scope(CorrelationId(key)):  # a task copies the context it is created in
                credit = wallet.credit(ALICE, 1, ADMIN_GRANT, idempotency_key=key)
                callers.append(asyncio.create_task(credit))
        entries = await asyncio.gather(*callers)
        assert [e.correlation_id for e in entries] == ["update-1", "update-2"]
        records = await recorded(storage)
        assert [parse_event(r.payload).correlation_id for r in records] == ["update-1", "update-2"]


async def test_two_processes_writing_one_file_lose_nothing(path: Path, clock: FakeClock) -> None:
    """Another process crediting the same wallet at the same time: every credit of both is kept, once."""
    count = 150
    child = await start_helper("credits", str(path), str(count), "child")
    async with opened_at(path, clock) as storage:
        await expect_line(child, "ready")
        await say(child, "go")
        await credit_many(wallet_of(storage, clock, "parent"), "parent", count)
        out, err = await child.communicate()
        assert child.returncode == 0, err.decode()
        assert out.decode().split() == ["done"]

        ledger = await whole_ledger(storage, WALLET_OWNER)
        keys = [e.idempotency_key for e in ledger]
        expected = {f"{who}-{n}" for who in ("parent", "child") for n in range(count)}
        assert len(keys) == len(set(keys)) == 2 * count
        assert set(keys) == expected
        assert sorted(e.sequence for e in ledger) == list(range(1, 2 * count + 1))
        balance = (await storage.wallet_queries.balance(WALLET_OWNER)).balance
        assert balance == sum(e.amount for e in ledger) == 2 * count * CREDIT


async def test_a_revocation_through_one_storage_is_seen_by_another_at_once(
    path: Path, clock: FakeClock
) -> None:
    """Two backends on one file, as two processes: a key revoked through one, the other refuses at once."""
    async with opened_at(path, clock) as first, opened_at(path, clock) as second:
        issuer = api_keys_over(first, clock, SequentialIds("a"))
        checker = api_keys_over(second, clock, SequentialIds("b"))
        issued = await issuer.create("servicio", [USERS_READ], actor=OPERATOR)
        assert await checker.authenticate(issued.token) == issued.key

        clock.advance(timedelta(seconds=1))
        revoked, _ = await issuer.revoke(issued.key.key_id, actor=OPERATOR)
        assert await second.api_key_queries.get(issued.key.key_id) == revoked
        with pytest.raises(RevokedKeyError):
            await checker.authenticate(issued.token)


async def test_the_event_loop_runs_while_another_process_holds_the_write_lock(
    path: Path, clock: FakeClock
) -> None:
    """A write waiting for another process's lock waits asynchronously: the loop ticks, reads answer."""
    async with opened_at(path, clock) as storage:
        holder = await start_helper("hold-lock", str(path))
        await expect_line(holder, "locked")
        credit = asyncio.create_task(
            wallet_of(storage, clock).credit(ALICE, 5, ADMIN_GRANT, idempotency_key="k")
        )
        ticks = 0
        for _ in range(10):
            await asyncio.sleep(0.01)
            ticks += 1
        assert ticks == 10
        assert not credit.done(), "the write did not wait for the other process's lock"
        assert (await storage.wallet_queries.balance(ALICE)).balance == 0

        await say(holder, "release")
        entry = await credit
        await expect_line(holder, "released")
        assert await holder.wait() == 0
        assert entry.balance_after == 5
        assert (await storage.wallet_queries.balance(ALICE)).balance == 5
        assert await storage.outbox.acquire_lease(
            "cli", "me", clock.now(), clock.now() + timedelta(seconds=1)
        )


@pytest.mark.skipif(sys.platform == "win32", reason="file-size limits are a POSIX feature")
async def test_a_failed_commit_fails_its_whole_batch_as_unavailable(path: Path, clock: FakeClock) -> None:
    """When COMMIT itself fails (the disk refuses to grow), every work of the batch gets UnavailableError."""
    helper = await start_helper("commit-failure", str(path))
    out, err = await helper.communicate()
    assert helper.returncode == 0, err.decode()
    outcomes: list[str] = json.loads(out)["outcomes"]
    unavailable = 'unavailable:OperationalError:{"storage": "sqlite"}'
    assert all(o in {"ok", unavailable} for o in outcomes), outcomes
    assert unavailable in outcomes
    async with opened_at(path, clock) as storage:
        ledger = await whole_ledger(storage, WALLET_OWNER)
        kept = {f"big-{n}" for n, outcome in enumerate(outcomes) if outcome == "ok"}
        assert {e.idempotency_key for e in ledger} == {"before", "after"} | kept
        balance = (await storage.wallet_queries.balance(WALLET_OWNER)).balance
        assert balance == sum(e.amount for e in ledger) == CREDIT * len(ledger)


async def test_a_batch_tells_the_listeners_once_what_all_its_works_held(path: Path, clock: FakeClock) -> None:
    """A group commit is announced once: every handler its works' events are owed, and any timer scheduled."""
    heard: list[Committed] = []

    def awarded(user: UserId) -> BesitosAwarded:
        return BesitosAwarded(
            event_id=EventId(f"ev-{user}"),
            occurred_at=clock.now(),
            correlation_id=CorrelationId("c"),
            user_id=user,
            amount=1,
            balance_after=1,
            reason=ADMIN_GRANT,
            entry_id=f"e-{user}",
        )

    async def award(uow: StorageUnitOfWork, user: UserId) -> None:
        uow.record(awarded(user))

    async def schedule(uow: StorageUnitOfWork) -> None:
        await uow.timers.schedule(new_timer("t", "tests.kind", clock.now(), now=clock.now()))

    async with opened_at(path, clock) as storage:
        storage.route_events(lambda event: (f"tests.of-{event.user_id}",))
        storage.add_commit_listener(heard.append)
        await asyncio.gather(
            storage.transactions.run(lambda uow: award(uow, UserId(1))),
            storage.transactions.run(lambda uow: award(uow, UserId(2))),
            storage.transactions.run(schedule),
        )
    assert heard == [Committed(handlers=frozenset({"tests.of-1", "tests.of-2"}), scheduled_timer=True)]
