"""The one thing an adapter's contract tests supply: a way to make a fresh, opened backend."""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from yabot_adapters.storage import StorageBackend
from yabot_core.kernel import FakeClock

StorageFactory = Callable[[FakeClock], AbstractAsyncContextManager[StorageBackend]]
"""Takes the clock; returns an async context manager yielding a fresh, opened, empty backend."""
