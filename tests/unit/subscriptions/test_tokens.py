"""VIP tokens in the core: the codes' shape, and what a creation refuses before anything is stored."""

from datetime import timedelta

import pytest

from tests.contracts.vip_tokens import vip_tokens
from yabot_adapters.memory import InMemoryStorage
from yabot_core.audit import Actor
from yabot_core.kernel import FakeClock, InvalidInputError
from yabot_core.subscriptions import CODE, SubscriptionService, UnknownPlanError, VipTokens, is_code
from yabot_core.subscriptions.tokens import mint_code

DIANA = Actor.operator("diana")
DEEP_LINK_PAYLOAD = r"[A-Za-z0-9_-]{1,64}"


@pytest.fixture(name="tokens")
def tokens_fixture(storage: InMemoryStorage, clock: FakeClock, service: SubscriptionService) -> VipTokens:
    return vip_tokens(storage, clock, service)


def test_codes_fit_a_telegram_deep_link_and_differ() -> None:
    """A code is within Telegram's 64 characters of [A-Za-z0-9_-], has our shape, and is never repeated."""
    codes = {mint_code() for _ in range(1000)}
    assert len(codes) == 1000
    for code in codes:
        assert CODE.fullmatch(code)
        assert is_code(code)
        assert len(code) <= 64
    assert not is_code("vip-corto")
    assert not is_code("VIP-AAAAAAAAAAAAAAAA")


@pytest.mark.parametrize(
    ("options", "error"),
    [
        pytest.param({"count": 0}, "El número de códigos debe estar entre 1 y 500.", id="no-codes"),
        pytest.param({"count": 501}, "El número de códigos debe estar entre 1 y 500.", id="too-many"),
        pytest.param({"uses": 0}, "El número de usos debe estar entre 1 y 100.000.", id="no-uses"),
        pytest.param({"uses": True}, "El número de usos debe estar entre 1 y 100.000.", id="bool"),
    ],
)
async def test_bad_counts_make_nothing(
    tokens: VipTokens, storage: InMemoryStorage, options: dict[str, object], error: str
) -> None:
    """Counts out of bounds are refused in Spanish; nothing is stored or audited."""
    with pytest.raises(InvalidInputError, match=error):
        await tokens.create("vip-mensual", actor=DIANA, **options)  # type: ignore[arg-type]
    assert (await storage.audit_queries.page(limit=10, offset=0)).total == 0


async def test_bad_ends_and_plans_make_nothing(
    tokens: VipTokens, clock: FakeClock, storage: InMemoryStorage
) -> None:
    """An end not ahead, beyond ten years or without a zone, or an unknown plan: refused, nothing made."""
    for end in (
        clock.now(),
        clock.now() + timedelta(days=3651),
        clock.now().replace(tzinfo=None) + timedelta(1),
    ):
        with pytest.raises(InvalidInputError):
            await tokens.create("vip-mensual", actor=DIANA, expires_at=end)
    with pytest.raises(UnknownPlanError):
        await tokens.create("vip-anual", actor=DIANA)
    assert (await storage.audit_queries.page(limit=10, offset=0)).total == 0
