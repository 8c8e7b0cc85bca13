"""MongoDB backups on the wire test server: a dump restored into an empty database holds the same data."""

from pathlib import Path

from tests.contracts.common import ALICE, AUCTION_WIN, BOB
from tests.servers.mongo import MongoServer, mongo_storage
from yabot_adapters.backups import take_backup, verify_archive
from yabot_adapters.backups.mongo import MongoSnapshots
from yabot_adapters.mongo import MongoStorage
from yabot_core.kernel import FakeClock, SequentialIds
from yabot_core.operations import DumpContents
from yabot_core.wallet import ADMIN_GRANT, WalletService


async def documents(storage: MongoStorage) -> dict[str, list[dict[str, object]]]:
    """Every declared collection's documents, by ``_id``."""
    return {
        name: await storage.database[name].find({}).sort("_id", 1).to_list() for name in storage.collections
    }


async def test_a_dump_restores_into_an_empty_database_equal(
    mongo_server: MongoServer, clock: FakeClock, tmp_path: Path
) -> None:
    """Dump (manifest, checksums, counts) -> verify -> restore elsewhere: same documents, same balances."""
    async with mongo_storage(mongo_server, clock) as source, mongo_storage(mongo_server, clock) as target:
        wallet = WalletService(source.transactions, source.wallet_queries, clock, SequentialIds("m"))
        await wallet.credit(ALICE, 30, ADMIN_GRANT, idempotency_key="a")
        await wallet.hold(ALICE, 12, purpose=AUCTION_WIN, idempotency_key="h")
        await wallet.credit(BOB, 5, ADMIN_GRANT, idempotency_key="b")

        taken = await take_backup(MongoSnapshots(source), tmp_path / "copias", clock.now())
        assert taken.manifest.storage == "mongo"
        assert taken.manifest.counts["ledger"] == 3
        found = verify_archive(taken.path, tmp_path / "extraida")
        assert found.ok, found.problems

        snapshots = MongoSnapshots(target)
        assert await snapshots.existing() == {}
        manifest = taken.manifest
        contents = DumpContents(storage="mongo", files=tuple(manifest.files), counts=manifest.counts)
        await snapshots.load(tmp_path / "extraida", contents)

        assert await documents(target) == await documents(source)
        for user in (ALICE, BOB):
            assert await target.wallet_queries.balance(user) == await source.wallet_queries.balance(user)
        assert await target.wallet_audit.ledger_mismatches() == []
        assert (await snapshots.existing())["ledger"] == 3
