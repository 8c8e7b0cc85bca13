"""Wallets, ledger entries and holds in SQLite: the wallet module's slice."""

import sqlite3
from collections.abc import Sequence
from typing import Final

from yabot_adapters.sqlite.codec import decode_optional_time, decode_time, encode_optional_time, encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_core.kernel import ConcurrentUpdateError, CorrelationId, IdempotencyKey, UserId
from yabot_core.wallet import (
    Hold,
    HoldStatus,
    LedgerEntry,
    LedgerMismatch,
    LedgerPage,
    LedgerReason,
    Wallet,
    WalletAudit,
    WalletBalance,
    WalletQueries,
    WalletRepository,
    WalletStatement,
)

MIGRATIONS: Final = (
    Migration(
        up="""
    CREATE TABLE wallets (
        user_id  INTEGER PRIMARY KEY,
        balance  INTEGER NOT NULL CHECK (balance >= 0),
        sequence INTEGER NOT NULL CHECK (sequence >= 0)
    );
    CREATE TABLE ledger_entries (
        entry_id        TEXT PRIMARY KEY,
        user_id         INTEGER NOT NULL REFERENCES wallets (user_id),
        sequence        INTEGER NOT NULL,
        amount          INTEGER NOT NULL,
        reason          TEXT NOT NULL,
        note            TEXT,
        idempotency_key TEXT NOT NULL UNIQUE,
        correlation_id  TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        balance_after   INTEGER NOT NULL,
        hold_id         TEXT,
        UNIQUE (user_id, sequence)
    );
    CREATE TABLE holds (
        hold_id    TEXT PRIMARY KEY,
        user_id    INTEGER NOT NULL,
        amount     INTEGER NOT NULL,
        purpose    TEXT NOT NULL,
        reference  TEXT,
        status     TEXT NOT NULL,
        created_at TEXT NOT NULL,
        settled_at TEXT
    );
    CREATE INDEX holds_by_user ON holds (user_id, status);
    """,
        down="""
    DROP TABLE holds;
    DROP TABLE ledger_entries;
    DROP TABLE wallets;
    """,
    ),
)

_ENTRY: Final = (
    "SELECT entry_id, user_id, sequence, amount, reason, note, idempotency_key, correlation_id, created_at,"
    " balance_after, hold_id FROM ledger_entries"
)
_ENTRY_BY_KEY: Final = _ENTRY + " WHERE idempotency_key = ?"
_ENTRIES_NEWEST_FIRST: Final = _ENTRY + " WHERE user_id = ? ORDER BY sequence DESC LIMIT ? OFFSET ?"
_INSERT_ENTRY: Final = (
    "INSERT INTO ledger_entries (entry_id, user_id, sequence, amount, reason, note, idempotency_key,"
    " correlation_id, created_at, balance_after, hold_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_MOVE_WALLET: Final = "UPDATE wallets SET balance = ?, sequence = ? WHERE user_id = ? AND sequence = ?"
_CORRECT_WALLET: Final = "UPDATE wallets SET balance = ? WHERE user_id = ? AND sequence = ?"
_FIRST_MOVE: Final = (
    "INSERT INTO wallets (user_id, balance, sequence) VALUES (?, ?, 1) ON CONFLICT (user_id) DO NOTHING"
)
_HOLD_BY_ID: Final = (
    "SELECT hold_id, user_id, amount, purpose, reference, status, created_at, settled_at"
    " FROM holds WHERE hold_id = ?"
)
_SAVE_HOLD: Final = (
    "INSERT OR REPLACE INTO holds (hold_id, user_id, amount, purpose, reference, status, created_at,"
    " settled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


class SqliteWalletRepository(WalletRepository):
    """Wallets inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def get(self, user_id: UserId) -> Wallet:
        with self._session.use() as conn:
            row = conn.execute(
                "SELECT balance, sequence FROM wallets WHERE user_id = ?", (user_id,)
            ).fetchone()
        if row is None:
            return Wallet(user_id=user_id)
        return Wallet(user_id=user_id, balance=row["balance"], sequence=row["sequence"])

    async def entry_by_key(self, key: IdempotencyKey) -> LedgerEntry | None:
        with self._session.use() as conn:
            row = conn.execute(_ENTRY_BY_KEY, (key,)).fetchone()
        return None if row is None else _entry(row)

    async def append(self, entry: LedgerEntry) -> None:
        # The savepoint makes append all-or-nothing even for a work that catches the conflict and goes on.
        with self._session.savepoint("append") as conn:
            after = (entry.balance_after, entry.sequence, entry.user_id, entry.sequence - 1)
            moved = conn.execute(_MOVE_WALLET, after).rowcount
            if not moved and entry.sequence == 1:
                moved = conn.execute(_FIRST_MOVE, (entry.user_id, entry.balance_after)).rowcount
            if not moved:
                raise ConcurrentUpdateError(detail={"user_id": entry.user_id, "sequence": entry.sequence})
            try:
                conn.execute(_INSERT_ENTRY, _entry_values(entry))
            except sqlite3.IntegrityError as exc:
                # The idempotency key (or entry id) is taken: another work stored it first.
                raise ConcurrentUpdateError(detail={"idempotency_key": entry.idempotency_key}) from exc

    async def get_hold(self, hold_id: str) -> Hold | None:
        with self._session.use() as conn:
            row = conn.execute(_HOLD_BY_ID, (hold_id,)).fetchone()
        return None if row is None else _hold(row)

    async def save_hold(self, hold: Hold) -> None:
        values = (
            hold.hold_id,
            hold.user_id,
            hold.amount,
            str(hold.purpose),
            hold.reference,
            hold.status.value,
            encode_time(hold.created_at),
            encode_optional_time(hold.settled_at),
        )
        with self._session.use() as conn:
            conn.execute(_SAVE_HOLD, values)

    async def correct_balance(self, user_id: UserId, *, balance: int, sequence: int) -> bool:
        with self._session.use() as conn:
            # Entries always have their wallet row here (a foreign key), so there is one to update.
            moved = conn.execute(_CORRECT_WALLET, (balance, user_id, sequence)).rowcount
        return bool(moved)


class SqliteWalletQueries(WalletQueries):
    """Balances and ledger pages from committed state, on the read connection."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def balance(self, user_id: UserId) -> WalletBalance:
        return await self._reader.read(lambda conn: _balance(conn, user_id))

    async def statement(self, user_id: UserId, *, limit: int, offset: int) -> WalletStatement:
        def query(conn: sqlite3.Connection) -> WalletStatement:
            (total,) = conn.execute(
                "SELECT COUNT(*) FROM ledger_entries WHERE user_id = ?", (user_id,)
            ).fetchone()
            rows = conn.execute(_ENTRIES_NEWEST_FIRST, (user_id, limit, offset)).fetchall()
            page = LedgerPage(entries=tuple(map(_entry, rows)), total=total, limit=limit, offset=offset)
            return WalletStatement(balance=_balance(conn, user_id), history=page)

        return await self._reader.read(query)

    async def circulation(self) -> int:
        def query(conn: sqlite3.Connection) -> int:
            (total,) = conn.execute(_CIRCULATION, (HoldStatus.HELD.value,)).fetchone()
            return int(total)

        return await self._reader.read(query)


_CIRCULATION: Final = """
    SELECT (SELECT COALESCE(SUM(balance), 0) FROM wallets)
         + (SELECT COALESCE(SUM(amount), 0) FROM holds WHERE status = ?)
"""

_MISMATCHES: Final = """
    SELECT user_id, COALESCE(w.balance, 0), COALESCE(l.total, 0), COALESCE(w.sequence, 0)
    FROM (SELECT user_id FROM wallets UNION SELECT user_id FROM ledger_entries) AS u
    LEFT JOIN wallets AS w USING (user_id)
    LEFT JOIN (SELECT user_id, SUM(amount) AS total FROM ledger_entries GROUP BY user_id) AS l USING (user_id)
    WHERE COALESCE(w.balance, 0) != COALESCE(l.total, 0) OR COALESCE(w.balance, 0) < 0
    ORDER BY user_id
"""


class SqliteWalletAudit(WalletAudit):
    """Balances against ledgers, in one read snapshot."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def ledger_mismatches(self) -> Sequence[LedgerMismatch]:
        rows = await self._reader.read(lambda conn: conn.execute(_MISMATCHES).fetchall())
        return [
            LedgerMismatch(user_id=UserId(user), balance=balance, ledger_sum=total, sequence=sequence)
            for user, balance, total, sequence in rows
        ]


def _balance(conn: sqlite3.Connection, user_id: UserId) -> WalletBalance:
    row = conn.execute("SELECT balance FROM wallets WHERE user_id = ?", (user_id,)).fetchone()
    (held,) = conn.execute(
        "SELECT COALESCE(SUM(amount), 0) FROM holds WHERE user_id = ? AND status = ?",
        (user_id, HoldStatus.HELD.value),
    ).fetchone()
    return WalletBalance(user_id=user_id, balance=0 if row is None else row["balance"], held=held)


def _entry_values(entry: LedgerEntry) -> tuple[object, ...]:
    return (
        entry.entry_id,
        entry.user_id,
        entry.sequence,
        entry.amount,
        str(entry.reason),
        entry.note,
        entry.idempotency_key,
        entry.correlation_id,
        encode_time(entry.created_at),
        entry.balance_after,
        entry.hold_id,
    )


def _entry(row: sqlite3.Row) -> LedgerEntry:
    """A stored entry, unpacked by position: looking columns up by name was a third of a statement's time."""
    entry_id, user_id, sequence, amount, reason, note, key, correlation_id, created_at, after, hold = row
    return LedgerEntry(
        entry_id=entry_id,
        user_id=UserId(user_id),
        sequence=sequence,
        amount=amount,
        reason=LedgerReason(reason),
        note=note,
        idempotency_key=IdempotencyKey(key),
        correlation_id=CorrelationId(correlation_id),
        created_at=decode_time(created_at),
        balance_after=after,
        hold_id=hold,
    )


def _hold(row: sqlite3.Row) -> Hold:
    return Hold(
        hold_id=row["hold_id"],
        user_id=UserId(row["user_id"]),
        amount=row["amount"],
        purpose=LedgerReason(row["purpose"]),
        reference=row["reference"],
        status=HoldStatus(row["status"]),
        created_at=decode_time(row["created_at"]),
        settled_at=decode_optional_time(row["settled_at"]),
    )


SLICE = SqliteSlice(
    name="wallets",
    migrations=MIGRATIONS,
    repository=SqliteWalletRepository,
    queries={
        "wallet_queries": lambda reader, _writer: SqliteWalletQueries(reader),
        "wallet_audit": lambda reader, _writer: SqliteWalletAudit(reader),
    },
)
