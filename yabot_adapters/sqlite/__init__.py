"""SQLite storage: the embedded default backend, one WAL file shared by the bot and CLI processes."""

from yabot_adapters.sqlite.backend import SqliteStorage

__all__ = ["SqliteStorage"]
