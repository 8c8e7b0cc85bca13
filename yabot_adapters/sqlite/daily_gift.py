"""Daily gift claims in SQLite: the daily gift module's slice.

A claim's primary key is (user, day): a second claim of the same day fails its insert, whatever runs at once.
"""

import sqlite3
from datetime import date
from typing import Final

from yabot_adapters.sqlite.codec import decode_time, encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_core.daily_gift import DailyClaim, DailyGiftQueries, DailyGiftRepository, ReminderSetting
from yabot_core.inventory import ItemId
from yabot_core.kernel import ConcurrentUpdateError, UserId

MIGRATIONS: Final = (
    Migration(
        up="""
    CREATE TABLE daily_gift_claims (
        user_id        INTEGER NOT NULL,
        day            TEXT NOT NULL,
        streak         INTEGER NOT NULL CHECK (streak >= 1),
        besitos        INTEGER NOT NULL CHECK (besitos >= 1),
        streak_besitos INTEGER NOT NULL CHECK (streak_besitos >= 1),
        gift_id        TEXT,
        item_id        TEXT,
        quantity       INTEGER NOT NULL CHECK (quantity >= 0),
        entry_id       TEXT NOT NULL,
        claimed_at     TEXT NOT NULL,
        PRIMARY KEY (user_id, day)
    ) WITHOUT ROWID;
    """,
        down="""
    DROP TABLE daily_gift_claims;
    """,
    ),
    Migration(
        up="""
    CREATE TABLE daily_gift_reminders (
        user_id      INTEGER PRIMARY KEY,
        enabled      INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        reminded_day TEXT,
        version      INTEGER NOT NULL CHECK (version >= 1)
    );
    """,
        down="""
    DROP TABLE daily_gift_reminders;
    """,
    ),
)

_COLUMNS: Final = (
    "user_id, day, streak, besitos, streak_besitos, gift_id, item_id, quantity, entry_id, claimed_at"
)
_LAST: Final = f"SELECT {_COLUMNS} FROM daily_gift_claims WHERE user_id = ? ORDER BY day DESC LIMIT 1"  # noqa: S608  (constants only)
_INSERT: Final = f"INSERT INTO daily_gift_claims ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608


_REMINDER: Final = (
    "SELECT user_id, enabled, reminded_day, version FROM daily_gift_reminders WHERE user_id = ?"
)
_INSERT_REMINDER: Final = (
    "INSERT INTO daily_gift_reminders (user_id, enabled, reminded_day, version) VALUES (?, ?, ?, 1)"
)
_MOVE_REMINDER: Final = """
    UPDATE daily_gift_reminders SET enabled = ?, reminded_day = ?, version = ?
    WHERE user_id = ? AND version = ?
"""


class SqliteDailyGiftRepository(DailyGiftRepository):
    """Claims inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def last_claim(self, user_id: UserId) -> DailyClaim | None:
        with self._session.use() as conn:
            row = conn.execute(_LAST, (user_id,)).fetchone()
        return None if row is None else _claim(row)

    async def add_claim(self, claim: DailyClaim) -> None:
        values = (
            claim.user_id,
            claim.day.isoformat(),
            claim.streak,
            claim.besitos,
            claim.streak_besitos,
            claim.gift_id,
            claim.item_id,
            claim.quantity,
            claim.entry_id,
            encode_time(claim.claimed_at),
        )
        with self._session.use() as conn:
            try:
                conn.execute(_INSERT, values)
            except sqlite3.IntegrityError as exc:  # that day's claim exists: another work stored it first
                detail = {"user_id": claim.user_id, "day": claim.day.isoformat()}
                raise ConcurrentUpdateError(detail=detail) from exc

    async def reminder(self, user_id: UserId) -> ReminderSetting | None:
        with self._session.use() as conn:
            row = conn.execute(_REMINDER, (user_id,)).fetchone()
        return None if row is None else _reminder(row)

    async def save_reminder(self, setting: ReminderSetting) -> None:
        conflict = ConcurrentUpdateError(detail={"user_id": setting.user_id, "version": setting.version})
        day = None if setting.reminded_day is None else setting.reminded_day.isoformat()
        with self._session.use() as conn:
            if setting.version == 1:
                try:
                    conn.execute(_INSERT_REMINDER, (setting.user_id, int(setting.enabled), day))
                except sqlite3.IntegrityError as exc:  # another work created it first
                    raise conflict from exc
                return
            values = (int(setting.enabled), day, setting.version, setting.user_id, setting.version - 1)
            if conn.execute(_MOVE_REMINDER, values).rowcount == 0:
                raise conflict


class SqliteDailyGiftQueries(DailyGiftQueries):
    """Claims from committed state, on the read connection."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def last_claim(self, user_id: UserId) -> DailyClaim | None:
        def query(conn: sqlite3.Connection) -> DailyClaim | None:
            row = conn.execute(_LAST, (user_id,)).fetchone()
            return None if row is None else _claim(row)

        return await self._reader.read(query)

    async def reminder(self, user_id: UserId) -> ReminderSetting | None:
        def query(conn: sqlite3.Connection) -> ReminderSetting | None:
            row = conn.execute(_REMINDER, (user_id,)).fetchone()
            return None if row is None else _reminder(row)

        return await self._reader.read(query)


def _reminder(row: sqlite3.Row) -> ReminderSetting:
    day = row["reminded_day"]
    return ReminderSetting(
        user_id=UserId(row["user_id"]),
        enabled=bool(row["enabled"]),
        reminded_day=None if day is None else date.fromisoformat(day),
        version=row["version"],
    )


def _claim(row: sqlite3.Row) -> DailyClaim:
    return DailyClaim(
        user_id=UserId(row["user_id"]),
        day=date.fromisoformat(row["day"]),
        streak=row["streak"],
        besitos=row["besitos"],
        streak_besitos=row["streak_besitos"],
        gift_id=row["gift_id"],
        item_id=None if row["item_id"] is None else ItemId(row["item_id"]),
        quantity=row["quantity"],
        entry_id=row["entry_id"],
        claimed_at=decode_time(row["claimed_at"]),
    )


SLICE = SqliteSlice(
    name="daily_gifts",
    migrations=MIGRATIONS,
    repository=SqliteDailyGiftRepository,
    queries={"daily_gift_queries": lambda reader, _writer: SqliteDailyGiftQueries(reader)},
)
