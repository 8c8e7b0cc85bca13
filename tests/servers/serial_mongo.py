"""A proxy that makes nx-27017 safe for several client processes: one transaction at a time, server-wide.

nx-27017 runs every session on one SQLite connection (ADR 0004): two clients' transactions interleave as
nested savepoints, and one client's commit commits the other's half (then "no such savepoint"). One process
works around it with ``MongoStorage(exclusive=True)``; several processes cannot, since each gates only itself.
This proxy sits between the processes and nx and forwards every message unchanged, but while one session
(``lsid``) has a transaction open, every other session's commands wait: transactions are serialized, which
is stricter than MongoDB's snapshot isolation, never weaker. A transaction whose owner goes silent (its
process was SIGKILLed mid-way) is aborted on nx after ``abandon_after`` seconds and the others go on, as a
replica set aborts the transactions of a dead client.

It is a test tool standing in for real isolation, not a double of our code: the processes under test talk
the real wire protocol to a real (if limited) server.
"""

import asyncio
import contextlib
import logging
import struct
from typing import Any, Final

import bson

log = logging.getLogger(__name__)

OP_MSG: Final = 2013
MORE_TO_COME: Final = 1 << 1
HEADER: Final = struct.Struct("<iiii")


def _command(opcode: int, body: bytes) -> dict[str, Any] | None:
    """The command document of an OP_MSG (its kind-0 section), else ``None``."""
    if opcode != OP_MSG or len(body) < 5 or body[4] != 0:
        return None
    (size,) = struct.unpack_from("<i", body, 5)
    return bson.decode(body[5 : 5 + size])


class SerialMongoProxy:
    """Listens on a loopback port and forwards to nx-27017 at ``upstream`` (``host``, ``port``)."""

    def __init__(self, upstream: tuple[str, int], *, abandon_after: float = 10.0) -> None:
        self._upstream = upstream
        self._abandon_after = abandon_after
        self._lock = asyncio.Lock()
        self._owner: Any = None
        self._owner_txn: Any = None
        self._owner_seen = 0.0
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._watchdog: asyncio.Task[None] | None = None
        self.port = 0

    async def start(self) -> str:
        """Listen; return the URL to give the processes instead of nx's."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        self._watchdog = asyncio.create_task(self._watch())
        return self.url

    @property
    def url(self) -> str:
        """The URL to give the processes instead of nx's."""
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true&serverSelectionTimeoutMS=5000"

    async def stop(self) -> None:
        """Close the listener and every forwarded connection."""
        if self._server is not None:
            self._server.close()
        tasks = [*self._connections, *([self._watchdog] if self._watchdog else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    async def __aenter__(self) -> "SerialMongoProxy":
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        up_reader, up_writer = await asyncio.open_connection(*self._upstream)
        try:
            while True:
                message = await _read(reader)
                if message is None:
                    return
                await self._forward(message, writer, up_reader, up_writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self._connections.discard(task)
            for stream in (writer, up_writer):
                stream.close()

    async def _forward(
        self,
        message: bytes,
        writer: asyncio.StreamWriter,
        up_reader: asyncio.StreamReader,
        up_writer: asyncio.StreamWriter,
    ) -> None:
        _, _, _, opcode = HEADER.unpack_from(message)
        body = message[HEADER.size :]
        command = _command(opcode, body)
        lsid = command.get("lsid", {}).get("id") if command else None
        flags = struct.unpack_from("<I", body)[0] if opcode == OP_MSG else 0
        loop = asyncio.get_running_loop()
        ours = lsid is not None and lsid == self._owner
        if command is not None and command.get("startTransaction") and not ours:
            await self._lock.acquire()  # held until this session commits or aborts
            self._owner, self._owner_txn, ours = lsid, command.get("txnNumber"), True
        if ours:
            self._owner_seen = loop.time()
            await self._exchange(message, flags, writer, up_reader, up_writer)
            if command is not None and ("commitTransaction" in command or "abortTransaction" in command):
                self._release()
            return
        async with self._lock:
            await self._exchange(message, flags, writer, up_reader, up_writer)

    @staticmethod
    async def _exchange(
        message: bytes,
        flags: int,
        writer: asyncio.StreamWriter,
        up_reader: asyncio.StreamReader,
        up_writer: asyncio.StreamWriter,
    ) -> None:
        up_writer.write(message)
        await up_writer.drain()
        if flags & MORE_TO_COME:
            return
        reply = await _read(up_reader)
        if reply is None:
            raise ConnectionError
        writer.write(reply)
        await writer.drain()

    def _release(self) -> None:
        if self._owner is not None:
            self._owner = self._owner_txn = None
            self._lock.release()

    async def _watch(self) -> None:
        """Abort a transaction whose owner has been silent too long (a killed process) and free the rest."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self._abandon_after / 5)
            owner, txn = self._owner, self._owner_txn
            if owner is None or loop.time() - self._owner_seen < self._abandon_after:
                continue
            log.warning("aborting an abandoned transaction on nx-27017")
            with contextlib.suppress(Exception):
                await self._abort(owner, txn)
            if self._owner == owner:
                self._release()

    async def _abort(self, lsid: Any, txn: Any) -> None:
        command = {"abortTransaction": 1, "lsid": {"id": lsid}, "txnNumber": txn, "autocommit": False}
        payload = struct.pack("<I", 0) + b"\x00" + bson.encode({**command, "$db": "admin"})
        reader, writer = await asyncio.open_connection(*self._upstream)
        try:
            writer.write(HEADER.pack(HEADER.size + len(payload), 1, 0, OP_MSG) + payload)
            await writer.drain()
            await asyncio.wait_for(_read(reader), timeout=10)
        finally:
            writer.close()


async def _read(reader: asyncio.StreamReader) -> bytes | None:
    """One whole wire message, or ``None`` at a clean end of stream."""
    try:
        header = await reader.readexactly(HEADER.size)
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            return None
        raise
    (length,) = struct.unpack_from("<i", header)
    return header + await reader.readexactly(length - HEADER.size)
