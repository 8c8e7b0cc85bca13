"""Diana's gifts from the shell: register and fill the mochila in one commit, or do neither."""

import pytest

from tests.contracts.common import recorded_events
from tests.contracts.inventory_catalog import KEY, ROSE
from yabot_adapters.memory import InMemoryStorage
from yabot_core.inventory import (
    ADMIN_GRANT,
    ItemAdded,
    ItemGrants,
    ItemNotStackableError,
    Mochila,
    UnknownItemError,
)
from yabot_core.kernel import UserId
from yabot_core.users import UserDirectory, UserProfile, UserRegistered, UserSource

ANA = UserId(11)


async def test_a_gift_to_a_stranger_registers_them_with_it(
    grants: ItemGrants, users: UserDirectory, mochila: Mochila, storage: InMemoryStorage
) -> None:
    """A gift to an unknown id registers them (from the operator) and adds the item, in one commit."""
    grant = await grants.grant(ANA, ROSE, 3, note="Por su fidelidad", idempotency_key="g1")
    assert grant.registration.created
    assert grant.registration.user.source is UserSource.OPERATOR
    assert grant.operation.quantity_after(ROSE) == 3
    assert (grant.operation.reason, grant.operation.note) == (ADMIN_GRANT, "Por su fidelidad")
    assert (await mochila.item(ANA, ROSE)).quantity == 3
    assert [type(e) for e in await recorded_events(storage)] == [UserRegistered, ItemAdded]
    assert (await users.get(ANA)).user_id == ANA


async def test_a_gift_to_a_known_fan_keeps_their_profile(
    grants: ItemGrants, users: UserDirectory, storage: InMemoryStorage
) -> None:
    """A fan YABOT knows is not registered again, and keeps the names Telegram gave."""
    await users.register(UserProfile(user_id=ANA, first_name="Ana"))
    grant = await grants.grant(ANA, ROSE, note=None, idempotency_key="g1")
    assert not grant.registration.created
    assert grant.registration.user.first_name == "Ana"


@pytest.mark.parametrize(
    ("item", "quantity", "error"), [("nada", 1, UnknownItemError), (KEY, 2, ItemNotStackableError)]
)
async def test_a_refused_gift_registers_nobody(
    grants: ItemGrants, storage: InMemoryStorage, item: str, quantity: int, error: type[Exception]
) -> None:
    """A gift the mochila refuses undoes the registration that came with it."""
    with pytest.raises(error):
        await grants.grant(ANA, item, quantity, note=None, idempotency_key="g1")
    assert await storage.user_queries.get(ANA) is None
    assert await recorded_events(storage) == []
