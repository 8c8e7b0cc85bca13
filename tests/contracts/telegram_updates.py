"""The webhook's inbox on every backend: stored once, claimed with a lease, in order per user, pruned."""

from datetime import timedelta

from tests.contracts.base import ContractBase
from yabot_adapters.storage import StorageBackend
from yabot_core.kernel import FakeClock, InboxUpdate

ANA = 7
LUIS = 8
LEASE = timedelta(seconds=60)


def an_update(clock: FakeClock, update_id: int, order_key: int = ANA) -> InboxUpdate:
    payload = {"update_id": update_id, "message": {"text": f"hola {update_id}", "from": {"id": order_key}}}
    return InboxUpdate(update_id=update_id, order_key=order_key, payload=payload, received_at=clock.now())


class TelegramUpdatesContract(ContractBase):
    """What every backend's ``telegram_updates`` slice must do."""

    async def test_an_update_is_stored_once_with_its_payload(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Receiving an id already stored changes nothing and says so; the payload comes back as sent."""
        inbox = storage.telegram_updates
        assert await inbox.receive(an_update(clock, 1))
        assert not await inbox.receive(an_update(clock, 1, order_key=LUIS))
        assert await inbox.unfinished() == 1
        (claimed,) = await inbox.claim(clock.now(), "w1", clock.now() + LEASE, 10)
        assert claimed.payload == an_update(clock, 1).payload
        assert (claimed.order_key, claimed.claim) == (ANA, "w1")

    async def test_one_users_updates_are_handed_out_one_at_a_time_in_order(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Only each user's oldest update not done is claimable; users go side by side."""
        inbox = storage.telegram_updates
        for update_id, key in ((3, ANA), (1, ANA), (2, LUIS), (4, LUIS)):
            await inbox.receive(an_update(clock, update_id, key))
        now = clock.now()
        first = await inbox.claim(now, "w1", now + LEASE, 10)
        assert [u.update_id for u in first] == [1, 2]
        assert await inbox.claim(now, "w2", now + LEASE, 10) == []  # 3 and 4 wait for 1 and 2
        assert await inbox.complete(first[0], now)
        assert [u.update_id for u in await inbox.claim(now, "w2", now + LEASE, 10)] == [3]
        assert await inbox.unfinished() == 3

    async def test_a_lapsed_claim_is_taken_over_and_the_old_one_completes_nothing(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A worker that died holding an update loses it at the lease's end; its late completion fails."""
        inbox = storage.telegram_updates
        await inbox.receive(an_update(clock, 5))
        (held,) = await inbox.claim(clock.now(), "dead", clock.now() + LEASE, 1)
        clock.advance(LEASE)
        (again,) = await inbox.claim(clock.now(), "alive", clock.now() + LEASE, 1)
        assert again.update_id == held.update_id
        assert not await inbox.complete(held, clock.now())
        assert await inbox.complete(again, clock.now())
        assert not await inbox.complete(again, clock.now())  # done once
        assert await inbox.claim(clock.now(), "alive", clock.now() + LEASE, 1) == []
        assert await inbox.unfinished() == 0

    async def test_done_updates_are_remembered_until_pruned(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A done update still refuses its repeat; pruning forgets old done ones and keeps the rest."""
        inbox = storage.telegram_updates
        await inbox.receive(an_update(clock, 1))
        await inbox.receive(an_update(clock, 2, LUIS))
        (one,) = [u for u in await inbox.claim(clock.now(), "w", clock.now() + LEASE, 10) if u.update_id == 1]
        assert await inbox.complete(one, clock.now())
        assert not await inbox.receive(an_update(clock, 1))
        assert await inbox.prune(clock.now()) == 0  # done at this very moment: not before it
        clock.advance(timedelta(hours=25))
        assert await inbox.prune(clock.now() - timedelta(hours=24)) == 1
        assert await inbox.receive(an_update(clock, 1))  # forgotten: a (very) late repeat is new again
        assert await inbox.unfinished() == 2
