"""Keeping the Redis streams in shape: groups, trimming, skipping what is stale, counting what waits."""

import logging
from typing import TYPE_CHECKING, Any, Final

from redis.exceptions import ResponseError

from yabot_adapters.bus.routes import RouteTable
from yabot_adapters.redis.streams import SKIP_STALE, Layout, StreamId, format_id, stream_id

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

BACKLOG_PAGE: Final = 500
"""Entries read per round trip when counting what handlers have not read yet."""


class StreamUpkeep:
    """The bus's work on the streams themselves, apart from publishing and consuming."""

    def __init__(self, client: "Redis", layout: Layout, table: RouteTable) -> None:
        self._client = client
        self._layout = layout
        self._table = table
        self._skip_stale = client.register_script(SKIP_STALE)

    async def create_groups(self) -> None:
        """Create every declared handler's group on every stream, reading from now on (idempotent)."""
        for route in self._table.routes:
            for stream in self._layout.streams:
                try:
                    await self._client.xgroup_create(stream, route.name, id="$", mkstream=True)
                except ResponseError as exc:
                    if "BUSYGROUP" not in str(exc):
                        raise

    async def trim(self) -> int:
        """Drop entries every group is done with; return how many went.

        Per stream, what a group still needs starts at its oldest unacknowledged entry, or right after the
        last entry it read; XTRIM MINID drops only entries below the minimum of those.
        """
        dropped = 0
        for stream in self._layout.streams:
            groups = await self.groups(stream)
            if not groups:
                continue
            needed: list[StreamId] = []
            for group in groups:
                last = stream_id(group["last-delivered-id"])
                needed.append((last[0], last[1] + 1))  # what it has not read yet starts after its last
                if int(group["pending"]):
                    summary: Any = await self._client.xpending(stream, group["name"])
                    if summary["min"]:  # None: acknowledged meanwhile
                        needed.append(stream_id(summary["min"]))
            dropped += int(await self._client.xtrim(stream, minid=format_id(min(needed)), approximate=False))
        return dropped

    async def groups(self, stream: str) -> list[dict[str, Any]]:
        """The consumer groups of ``stream`` (none if the stream does not exist yet)."""
        try:
            groups: list[dict[str, Any]] = await self._client.xinfo_groups(stream)
        except ResponseError as exc:
            if "no such key" not in str(exc):
                raise
            return []
        return groups

    async def skip_stale(self) -> None:
        """Move the groups of handlers with a ``max_age`` past entries too old to matter.

        Consumers drop stale entries themselves; this is for handlers nobody runs now, whose groups would
        otherwise keep every entry from being trimmed.
        """
        for route in self._table.routes:
            if route.max_age is None:
                continue
            age_ms = int(route.max_age.total_seconds() * 1000)
            for stream in self._layout.streams:
                if await self._skip_stale(keys=[stream], args=[route.name, age_ms]):
                    log.warning(
                        "skipped events older than %s for %s on %s", route.max_age, route.name, stream
                    )

    async def backlog(self, stream: str) -> dict[str, int]:
        """Per group of ``stream``: entries given out and not acknowledged, plus unread ones of its route."""
        routes = {route.name: route.route for route in self._table.routes}
        groups = await self.groups(stream)
        counts = {group["name"]: int(group["pending"]) for group in groups}
        unread = {
            group["name"]: stream_id(group["last-delivered-id"])
            for group in groups
            if group.get("lag") != 0 and group["name"] in routes
        }
        for group in groups:  # a group no route here names (a handler of another release): read nothing
            if group["name"] not in routes:
                counts[group["name"]] += int(group.get("lag") or 0)
        if not unread:
            return counts
        cursor = "(" + format_id(min(unread.values()))
        while True:
            page: Any = await self._client.xrange(stream, min=cursor, count=BACKLOG_PAGE)
            for entry_id, fields in page:
                position = stream_id(entry_id)
                for name, last in unread.items():
                    if position > last and fields.get("route") == routes[name]:
                        counts[name] += 1
            if len(page) < BACKLOG_PAGE:
                return counts
            cursor = "(" + page[-1][0]
