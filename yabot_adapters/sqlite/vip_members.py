"""The VIP channel's roll in SQLite: the channel members' slice of the subscriptions module."""

import sqlite3
from typing import Final

from yabot_adapters.sqlite.codec import decode_time, encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_core.kernel import UserId
from yabot_core.subscriptions import ChannelMemberQueries, ChannelMemberRepository, MemberSighting

MIGRATIONS: Final = (
    Migration(
        up="""
    CREATE TABLE vip_channel_members (
        user_id INTEGER PRIMARY KEY,
        inside  INTEGER NOT NULL CHECK (inside IN (0, 1)),
        seen_at TEXT NOT NULL
    );
    CREATE INDEX vip_channel_members_inside ON vip_channel_members (user_id) WHERE inside = 1;
    """,
        down="""
    DROP TABLE vip_channel_members;
    """,
    ),
)

_BY_USER: Final = "SELECT user_id, inside, seen_at FROM vip_channel_members WHERE user_id = ?"
_PUT: Final = (
    "INSERT INTO vip_channel_members (user_id, inside, seen_at) VALUES (?, ?, ?)"
    " ON CONFLICT (user_id) DO UPDATE SET inside = excluded.inside, seen_at = excluded.seen_at"
)
_INSIDE: Final = (
    "SELECT user_id, inside, seen_at FROM vip_channel_members WHERE inside = 1 AND user_id > ?"
    " ORDER BY user_id LIMIT ?"
)


class SqliteChannelMemberRepository(ChannelMemberRepository):
    """The roll inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def get(self, user_id: UserId) -> MemberSighting | None:
        with self._session.use() as conn:
            row = conn.execute(_BY_USER, (user_id,)).fetchone()
        return None if row is None else _sighting(row)

    async def put(self, sighting: MemberSighting) -> None:
        with self._session.use() as conn:
            conn.execute(_PUT, (sighting.user_id, int(sighting.inside), encode_time(sighting.seen_at)))


class SqliteChannelMemberQueries(ChannelMemberQueries):
    """The committed roll, on the reader connections."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def inside(self, *, after: UserId | None, limit: int) -> list[MemberSighting]:
        def query(conn: sqlite3.Connection) -> list[MemberSighting]:
            rows = conn.execute(_INSIDE, (-(2**63) if after is None else after, max(limit, 0))).fetchall()
            return [_sighting(row) for row in rows]

        return await self._reader.read(query)


def _sighting(row: sqlite3.Row) -> MemberSighting:
    return MemberSighting(
        user_id=UserId(row["user_id"]), inside=bool(row["inside"]), seen_at=decode_time(row["seen_at"])
    )


SLICE = SqliteSlice(
    name="channel_members",
    migrations=MIGRATIONS,
    repository=SqliteChannelMemberRepository,
    queries={"channel_member_queries": lambda reader, _writer: SqliteChannelMemberQueries(reader)},
)
