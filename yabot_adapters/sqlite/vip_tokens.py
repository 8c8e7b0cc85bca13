"""VIP tokens and their redemptions in SQLite: the VIP tokens' slice of the subscriptions module.

A token's count moves only from the count it was read at (``UPDATE … WHERE used = ?``), and a fan's
redemption of a token is a primary key: a use is never given twice, whatever runs at once.
"""

import sqlite3
from typing import Final

from yabot_adapters.sqlite.codec import decode_optional_time, decode_time, encode_optional_time, encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_core.kernel import ConcurrentUpdateError, UserId
from yabot_core.subscriptions import (
    TokenRedemption,
    VipToken,
    VipTokenPage,
    VipTokenQueries,
    VipTokenRepository,
)

MIGRATIONS: Final = (
    Migration(
        up="""
    CREATE TABLE vip_tokens (
        code       TEXT PRIMARY KEY,
        plan_id    TEXT NOT NULL,
        days       INTEGER NOT NULL CHECK (days >= 1),
        uses       INTEGER NOT NULL CHECK (uses >= 1),
        used       INTEGER NOT NULL CHECK (used >= 0 AND used <= uses),
        expires_at TEXT,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL
    );
    CREATE TABLE vip_token_redemptions (
        code        TEXT NOT NULL REFERENCES vip_tokens (code),
        user_id     INTEGER NOT NULL,
        entry_id    TEXT NOT NULL,
        redeemed_at TEXT NOT NULL,
        PRIMARY KEY (code, user_id)
    );
    """,
        down="""
    DROP TABLE vip_token_redemptions;
    DROP TABLE vip_tokens;
    """,
    ),
    Migration(
        up="""
    ALTER TABLE vip_tokens ADD COLUMN revoked_at TEXT;
    ALTER TABLE vip_tokens ADD COLUMN revoked_by TEXT;
    CREATE INDEX vip_tokens_newest ON vip_tokens (created_at DESC, code);
    """,
        down="""
    DROP INDEX vip_tokens_newest;
    ALTER TABLE vip_tokens DROP COLUMN revoked_by;
    ALTER TABLE vip_tokens DROP COLUMN revoked_at;
    """,
    ),
)

_COLUMNS: Final = (
    "code, plan_id, days, uses, used, expires_at, created_at, created_by, revoked_at, revoked_by"
)
_TOKEN_BY_CODE: Final = f"SELECT {_COLUMNS} FROM vip_tokens WHERE code = ?"  # noqa: S608  (constants only)
_INSERT_TOKEN: Final = f"INSERT INTO vip_tokens ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
_USE: Final = "UPDATE vip_tokens SET used = ? WHERE code = ? AND used = ? AND revoked_at IS NULL"
_REVOKE: Final = "UPDATE vip_tokens SET revoked_at = ?, revoked_by = ? WHERE code = ? AND revoked_at IS NULL"
_PAGE: Final = f"SELECT {_COLUMNS} FROM vip_tokens ORDER BY created_at DESC, code LIMIT ? OFFSET ?"  # noqa: S608
_REDEMPTION: Final = (
    "SELECT code, user_id, entry_id, redeemed_at FROM vip_token_redemptions WHERE code = ? AND user_id = ?"
)
_INSERT_REDEMPTION: Final = (
    "INSERT INTO vip_token_redemptions (code, user_id, entry_id, redeemed_at) VALUES (?, ?, ?, ?)"
)


class SqliteVipTokenRepository(VipTokenRepository):
    """VIP tokens inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def add(self, token: VipToken) -> None:
        with self._session.savepoint("vip_token_add") as conn:
            try:
                conn.execute(
                    _INSERT_TOKEN,
                    (
                        token.code,
                        token.plan_id,
                        token.days,
                        token.uses,
                        token.used,
                        encode_optional_time(token.expires_at),
                        encode_time(token.created_at),
                        token.created_by,
                        encode_optional_time(token.revoked_at),
                        token.revoked_by,
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise ConcurrentUpdateError(detail={"code": token.code}) from exc

    async def get(self, code: str) -> VipToken | None:
        with self._session.use() as conn:
            row = conn.execute(_TOKEN_BY_CODE, (code,)).fetchone()
        return None if row is None else _token(row)

    async def redemption(self, code: str, user_id: UserId) -> TokenRedemption | None:
        with self._session.use() as conn:
            row = conn.execute(_REDEMPTION, (code, user_id)).fetchone()
        if row is None:
            return None
        return TokenRedemption(
            code=row["code"],
            user_id=UserId(row["user_id"]),
            entry_id=row["entry_id"],
            redeemed_at=decode_time(row["redeemed_at"]),
        )

    async def redeem(self, token: VipToken, redemption: TokenRedemption) -> None:
        # The savepoint makes the pair all-or-nothing even for a work that catches the conflict and goes on.
        with self._session.savepoint("vip_token_redeem") as conn:
            conflict = ConcurrentUpdateError(detail={"code": token.code, "used": token.used})
            if not conn.execute(_USE, (token.used, token.code, token.used - 1)).rowcount:
                raise conflict
            try:
                conn.execute(
                    _INSERT_REDEMPTION,
                    (
                        redemption.code,
                        redemption.user_id,
                        redemption.entry_id,
                        encode_time(redemption.redeemed_at),
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise conflict from exc

    async def revoke(self, token: VipToken) -> bool:
        with self._session.use() as conn:
            values = (encode_optional_time(token.revoked_at), token.revoked_by, token.code)
            return bool(conn.execute(_REVOKE, values).rowcount)


class SqliteVipTokenQueries(VipTokenQueries):
    """Committed tokens, on the reader connections; a page and its count from one snapshot."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def page(self, *, limit: int, offset: int) -> VipTokenPage:
        def query(conn: sqlite3.Connection) -> VipTokenPage:
            (total,) = conn.execute("SELECT COUNT(*) FROM vip_tokens").fetchone()
            rows = conn.execute(_PAGE, (limit, offset)).fetchall()
            return VipTokenPage(tokens=tuple(map(_token, rows)), total=total, limit=limit, offset=offset)

        return await self._reader.read(query)


def _token(row: sqlite3.Row) -> VipToken:
    return VipToken(
        code=row["code"],
        plan_id=row["plan_id"],
        days=row["days"],
        uses=row["uses"],
        used=row["used"],
        expires_at=decode_optional_time(row["expires_at"]),
        created_at=decode_time(row["created_at"]),
        created_by=row["created_by"],
        revoked_at=decode_optional_time(row["revoked_at"]),
        revoked_by=row["revoked_by"],
    )


SLICE = SqliteSlice(
    name="vip_tokens",
    migrations=MIGRATIONS,
    repository=SqliteVipTokenRepository,
    queries={"vip_token_queries": lambda reader, _writer: SqliteVipTokenQueries(reader)},
)
