"""VIP tokens and their redemptions in MongoDB: the VIP tokens' slice of the subscriptions module.

A token moves only from the count it was read at (a conditional replacement, documents written whole), and
a fan's redemption of a token has an ``_id`` of its own (``<code>:<user id>``): a use is never given twice.
"""

from typing import Final

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from yabot_adapters.mongo.documents import Document, from_document, to_document
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.schema import insert_new
from yabot_adapters.mongo.slice import MongoSlice
from yabot_adapters.mongo.snapshot import read_snapshot
from yabot_core.kernel import ConcurrentUpdateError, UserId
from yabot_core.subscriptions import (
    TokenRedemption,
    VipToken,
    VipTokenPage,
    VipTokenQueries,
    VipTokenRepository,
)

VIP_TOKENS: Final = "vip_tokens"
"""One document per token, ``_id`` = its code."""
_NEWEST: Final = [("created_at", DESCENDING), ("_id", ASCENDING)]
REDEMPTIONS: Final = "vip_token_redemptions"
"""One document per fan and token, ``_id`` = ``<code>:<user id>``."""


def _redemption_id(code: str, user_id: int) -> str:
    return f"{code}:{user_id}"


class MongoVipTokenRepository(VipTokenRepository):
    """The VIP tokens of one unit of work; every operation runs in its session's transaction."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._tokens = database[VIP_TOKENS]
        self._redemptions = database[REDEMPTIONS]
        self._session = session

    async def add(self, token: VipToken) -> None:
        try:
            await insert_new(self._tokens, to_document(token, "code"), self._session)
        except DuplicateKeyError as exc:
            raise ConcurrentUpdateError(detail={"code": token.code}) from exc

    async def get(self, code: str) -> VipToken | None:
        document = await self._tokens.find_one({"_id": code}, session=self._session)
        return None if document is None else from_document(VipToken, document, "code")

    async def redemption(self, code: str, user_id: UserId) -> TokenRedemption | None:
        document = await self._redemptions.find_one(
            {"_id": _redemption_id(code, user_id)}, session=self._session
        )
        if document is None:
            return None
        fields = dict(document)
        fields.pop("_id")
        return TokenRedemption.model_validate(fields)

    async def redeem(self, token: VipToken, redemption: TokenRedemption) -> None:
        conflict = ConcurrentUpdateError(detail={"code": token.code, "used": token.used})
        moved = await self._tokens.replace_one(
            {"_id": token.code, "used": token.used - 1, "revoked_at": {"$eq": None}},
            to_document(token, "code"),
            session=self._session,
        )
        if moved.matched_count == 0:
            raise conflict
        document = {
            "_id": _redemption_id(redemption.code, redemption.user_id),
            **redemption.model_dump(mode="python"),
        }
        try:
            await insert_new(self._redemptions, document, self._session)
        except DuplicateKeyError as exc:
            raise conflict from exc

    async def revoke(self, token: VipToken) -> bool:
        moved = await self._tokens.replace_one(
            {"_id": token.code, "revoked_at": {"$eq": None}},
            to_document(token, "code"),
            session=self._session,
        )
        return moved.matched_count == 1


class MongoVipTokenQueries(VipTokenQueries):
    """Committed tokens; a page and its count from one snapshot."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._database = database
        self._tokens = database[VIP_TOKENS]
        self._gate = gate

    async def page(self, *, limit: int, offset: int) -> VipTokenPage:
        async def read(session: AsyncClientSession) -> VipTokenPage:
            # The find goes first: nx-27017 refuses a transaction whose first command is an aggregate.
            cursor = self._tokens.find({}, session=session).sort(_NEWEST).skip(offset).limit(max(limit, 1))
            found = [from_document(VipToken, document, "code") async for document in cursor][: max(limit, 0)]
            total = await self._tokens.count_documents({}, session=session)
            return VipTokenPage(tokens=tuple(found), total=total, limit=limit, offset=offset)

        return await read_snapshot(self._gate, self._database, read)


SLICE = MongoSlice(
    name="vip_tokens",
    repository=MongoVipTokenRepository,
    queries={"vip_token_queries": MongoVipTokenQueries},
    collections=(VIP_TOKENS, REDEMPTIONS),
    # nx-27017 cannot put ``_id`` in a secondary index; ties on the time are few, sorted without one.
    indexes={VIP_TOKENS: [IndexModel([("created_at", ASCENDING)], name="vip_tokens_by_time")]},
)
