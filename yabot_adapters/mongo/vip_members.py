"""The VIP channel's roll in MongoDB: the channel members' slice of the subscriptions module."""

from typing import Final

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from yabot_adapters.mongo.documents import Document, from_document, to_document
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.slice import MongoSlice
from yabot_core.kernel import UserId
from yabot_core.subscriptions import ChannelMemberQueries, ChannelMemberRepository, MemberSighting

CHANNEL_MEMBERS: Final = "vip_channel_members"
"""One document per fan ever seen in the channel, ``_id`` = user id, stored again as ``user_id`` (the walk
orders by it, and nx-27017 cannot put ``_id`` in a secondary index)."""

INDEXES: Final = {
    CHANNEL_MEMBERS: [
        IndexModel([("inside", ASCENDING), ("user_id", ASCENDING)], name="vip_channel_members_inside")
    ],
}


class MongoChannelMemberRepository(ChannelMemberRepository):
    """The roll of one unit of work; every operation runs in its session's transaction."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._members = database[CHANNEL_MEMBERS]
        self._session = session

    async def get(self, user_id: UserId) -> MemberSighting | None:
        document = await self._members.find_one({"_id": user_id}, session=self._session)
        return None if document is None else from_document(MemberSighting, document, "user_id")

    async def put(self, sighting: MemberSighting) -> None:
        document = to_document(sighting, "user_id", keep_id_field=True)
        await self._members.replace_one(
            {"_id": sighting.user_id}, document, upsert=True, session=self._session
        )


class MongoChannelMemberQueries(ChannelMemberQueries):
    """The committed roll."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._members = database[CHANNEL_MEMBERS]
        self._gate = gate

    async def inside(self, *, after: UserId | None, limit: int) -> list[MemberSighting]:
        if limit <= 0:
            return []
        query: Document = {"inside": True}
        if after is not None:
            query["user_id"] = {"$gt": after}
        async with self._gate.operation():
            cursor = self._members.find(query).sort("user_id", ASCENDING).limit(limit)
            return [from_document(MemberSighting, document, "user_id") async for document in cursor]


SLICE = MongoSlice(
    name="channel_members",
    repository=MongoChannelMemberRepository,
    queries={"channel_member_queries": MongoChannelMemberQueries},
    collections=(CHANNEL_MEMBERS,),
    indexes=INDEXES,
)
