"""The ranking's SQLite reads go through its index: the top of a period and a fan's place never scan."""

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from yabot_adapters.sqlite import ranking
from yabot_adapters.sqlite.schema import migrate
from yabot_adapters.sqlite.slices import SLICES


@pytest.fixture(name="conn")
def conn_fixture(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(tmp_path / "ranking.db", isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")  # a throwaway file: no fsync per statement
    migrate(conn, SLICES)
    rows = [
        (period, user, user % 97, user % 50 == 0)
        for period in ("total", "2026-W01")
        for user in range(1, 2001)
    ]
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO ranking_scores (period, user_id, earned, hidden) VALUES (?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    yield conn
    conn.close()


def plan(conn: sqlite3.Connection, query: str, *parameters: object) -> str:
    return " | ".join(row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {query}", parameters))


@pytest.mark.parametrize(
    ("query", "parameters"),
    [(ranking._TOP, ("total", 10)), (ranking._ABOVE, ("total", 40))],
    ids=["top", "place"],
)
def test_the_reads_use_the_board_index(
    conn: sqlite3.Connection, query: str, parameters: tuple[object, ...]
) -> None:
    """Both reads search ``ranking_board`` (no full scan, no sort of the period's rows)."""
    found = plan(conn, query, *parameters)
    assert "ranking_board" in found, found
    assert "TEMP B-TREE" not in found, found
    assert not found.startswith("SCAN ranking_scores") or "INDEX" in found, found
