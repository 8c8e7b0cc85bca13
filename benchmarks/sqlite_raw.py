"""The yardstick: stdlib sqlite3, WAL, a timed loop of one-row BEGIN IMMEDIATE; UPDATE; COMMIT."""

import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Literal

Synchronous = Literal["FULL", "NORMAL"]


def single_row_transactions(synchronous: Synchronous, *, seconds: float) -> float:
    """Return committed transactions per second over about ``seconds``, on a fresh WAL file."""
    with tempfile.TemporaryDirectory(prefix="yabot-bench-raw-") as root:
        conn = sqlite3.connect(Path(root) / "raw.db", isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute(f"PRAGMA synchronous = {synchronous}")  # a Literal, never user input
            conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)")
            conn.execute("INSERT INTO t (id, v) VALUES (1, 0)")
            done = 0
            started = time.perf_counter()
            deadline = started + seconds
            while True:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("UPDATE t SET v = v + 1 WHERE id = 1")
                conn.execute("COMMIT")
                done += 1
                now = time.perf_counter()
                if now >= deadline:
                    break
            (value,) = conn.execute("SELECT v FROM t WHERE id = 1").fetchone()
        finally:
            conn.close()
    if value != done:
        msg = f"raw SQLite lost updates: {value} != {done}"
        raise AssertionError(msg)
    return done / (now - started)
