"""`yabot migrate status|up|down MODULO` on SQLite (numbered steps) and MongoDB (one declarative step)."""

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pymongo import MongoClient
from pymongo.database import Database

from tests.servers.mongo import MongoServer, fresh_database_name
from yabot_adapters.sqlite.slices import SLICES as SQLITE_SLICES
from yabot_app.cli.main import cli


def yabot(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="yabot")


def rows(output: str) -> dict[str, tuple[int, int]]:
    """The status table: module -> (applied, latest)."""
    found = {}
    for line in output.splitlines()[1:]:
        cells = line.split()
        if len(cells) >= 3 and cells[1].isdigit():
            found[cells[0]] = (int(cells[1]), int(cells[2]))
    return found


@pytest.fixture(name="on_sqlite")
def on_sqlite_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("YABOT_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data" / "yabot.sqlite3"


class TestSqlite:
    def test_status_up_down_and_up_again(self, on_sqlite: Path) -> None:
        """A new file: everything pending (and status writes nothing); up; the wallet's last step down; up."""
        latest = {piece.name: piece.latest for piece in SQLITE_SLICES}
        before = yabot("migrate", "status")
        assert before.exit_code == 0, before.output
        assert rows(before.output) == {name: (0, version) for name, version in latest.items()}
        assert not on_sqlite.exists()

        applied = yabot("migrate", "up")
        assert applied.exit_code == 0, applied.output
        assert f"{len(latest)} módulo(s) actualizados." in applied.output
        assert "Todo al día." in yabot("migrate", "status").output
        assert "Nada que aplicar" in yabot("migrate", "up").output

        wallets = latest["wallets"]
        taken = yabot("migrate", "down", "wallets")
        assert taken.exit_code == 0, taken.output
        assert f"wallets: ahora en la versión {wallets - 1}" in taken.output
        status = yabot("migrate", "status")
        assert rows(status.output)["wallets"] == (wallets - 1, wallets)
        assert "1 módulo(s) por actualizar" in status.output
        with sqlite3.connect(on_sqlite) as conn:
            (stored,) = conn.execute(
                "SELECT version FROM schema_versions WHERE module = 'wallets'"
            ).fetchone()
        assert stored == wallets - 1

        assert "wallets: " in yabot("migrate", "up").output
        assert rows(yabot("migrate", "status").output)["wallets"] == (wallets, wallets)

    def test_down_refuses_in_spanish_what_it_cannot_do(self, on_sqlite: Path) -> None:
        unknown = yabot("migrate", "down", "cartera")
        assert (unknown.exit_code, unknown.output) == (
            1,
            "Error: no hay ningún módulo con datos llamado «cartera»; `yabot migrate status` los lista.\n",
        )
        nothing = yabot("migrate", "down", "wallets")
        assert nothing.output == "Error: el módulo «wallets» no tiene ningún paso aplicado.\n"


@pytest.fixture(name="on_mongo")
def on_mongo_fixture(
    mongo_server: MongoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database[dict[str, object]]]:
    """The CLI on a fresh database of each available server (nx-27017; a real one when configured)."""
    name = fresh_database_name()
    monkeypatch.chdir(tmp_path)
    for variable, value in {
        "YABOT_STORAGE": "mongo",
        "YABOT_MONGO_URL": mongo_server.url,
        "YABOT_MONGO_DATABASE": name,
        "YABOT_DATA_DIR": str(tmp_path / "data"),
    }.items():
        monkeypatch.setenv(variable, value)
    client: MongoClient[dict[str, object]] = MongoClient(mongo_server.url)
    try:
        yield client[name]
    finally:
        client.drop_database(name)
        client.close()


class TestMongo:
    def test_status_up_down_and_up_again(self, on_mongo: Database[dict[str, object]]) -> None:
        """Versions in schema_versions; down drops the module's indexes, keeps its documents; up rebuilds."""
        assert set(rows(yabot("migrate", "status").output).values()) == {(0, 1)}
        applied = yabot("migrate", "up")
        assert applied.exit_code == 0, applied.output
        assert "Todo al día." in yabot("migrate", "status").output
        on_mongo.ledger.insert_one({"_id": "e1", "user_id": 1, "amount": 5})
        indexed = {index["name"] for index in on_mongo.ledger.list_indexes()}
        assert len(indexed) == 3  # _id, and the two the wallet module declares

        taken = yabot("migrate", "down", "wallets")
        assert taken.exit_code == 0, taken.output
        assert {index["name"] for index in on_mongo.ledger.list_indexes()} == {"_id_"}
        assert on_mongo.ledger.count_documents({}) == 1
        assert rows(yabot("migrate", "status").output)["wallets"] == (0, 1)

        assert "wallets: 0 → 1" in yabot("migrate", "up").output
        assert {index["name"] for index in on_mongo.ledger.list_indexes()} == indexed
        assert rows(yabot("migrate", "status").output)["wallets"] == (1, 1)
