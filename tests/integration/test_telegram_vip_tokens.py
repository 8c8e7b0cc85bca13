"""Redeeming VIP tokens in Telegram: /canjear CÓDIGO, the code's deep link (/start vip-…), the refusals."""

from datetime import timedelta

import pytest

from tests.integration.telegram_world import ANA, World
from yabot_app.modules.subscriptions import SubscriptionsModule
from yabot_core.audit import Actor
from yabot_core.kernel import FakeClock, UserId
from yabot_core.subscriptions import SubscriptionService, VipTokens

DIANA = Actor.operator("diana")
BEA = UserId(5151)


@pytest.fixture(name="module")
def module_fixture(world: World) -> SubscriptionsModule:
    return world.container.modules().get(SubscriptionsModule)


@pytest.fixture(name="tokens")
def tokens_fixture(module: SubscriptionsModule) -> VipTokens:
    return module.tokens


@pytest.fixture(name="service")
def service_fixture(module: SubscriptionsModule) -> SubscriptionService:
    return module.service


class TestCanjear:
    async def test_canjear_with_a_code_makes_a_vip_and_says_until_when(
        self, world: World, tokens: VipTokens, service: SubscriptionService, clock: FakeClock
    ) -> None:
        """/canjear CÓDIGO grants the plan's days; Lucien says until when; the code is used up."""
        await world.say("/start")
        (token,) = await tokens.create("vip-mensual", actor=DIANA)
        reply = await world.say(f"/canjear {token.code}")
        until = clock.now() + timedelta(days=30)
        assert f"es usted VIP hasta el <b>{until:%d/%m/%Y}</b>" in reply
        assert await service.vip.is_vip(ANA)
        again = await world.say(f"/canjear {token.code}", user_id=BEA, first_name="Bea")
        assert "ya se ha canjeado todas las veces que permitía" in again
        assert await service.status(BEA) is None

    async def test_a_vip_redeeming_gets_the_days_added(
        self, world: World, tokens: VipTokens, service: SubscriptionService, clock: FakeClock
    ) -> None:
        """A fan who is VIP already has the token's days added to the end."""
        await service.grant(ANA, days=10, actor=DIANA, idempotency_key="regalo")
        (token,) = await tokens.create("vip-mensual", actor=DIANA)
        reply = await world.say(f"/canjear {token.code}")
        until = clock.now() + timedelta(days=40)
        assert (
            f"He sumado sus días a su estancia: ahora es usted VIP hasta el <b>{until:%d/%m/%Y}</b>" in reply
        )

    @pytest.mark.parametrize(
        ("code", "expected"),
        [
            pytest.param("", "escríbalo después de la orden", id="no-code"),
            pytest.param("vip-AAAAAAAAAAAAAAAA", "no encuentro ningún código VIP así", id="unknown"),
            pytest.param("hola <b>", "no encuentro ningún código VIP así", id="not-a-code"),
        ],
    )
    async def test_a_missing_or_unknown_code_gets_a_courteous_answer(
        self, world: World, service: SubscriptionService, code: str, expected: str
    ) -> None:
        """No code, or no such code: Lucien explains, and nothing changes."""
        reply = await world.say(f"/canjear {code}".strip())
        assert expected in reply
        assert await service.status(ANA) is None

    async def test_the_same_fan_twice_and_an_expired_code_are_refused(
        self, world: World, tokens: VipTokens, clock: FakeClock
    ) -> None:
        """A code counts once per fan; after its end it gives nothing."""
        (token,) = await tokens.create(
            "vip-mensual", actor=DIANA, uses=5, expires_at=clock.now() + timedelta(days=1)
        )
        await world.say(f"/canjear {token.code}")
        assert "Usted ya canjeó ese código VIP" in await world.say(f"/canjear {token.code}")
        clock.advance(timedelta(days=1))
        reply = await world.say(f"/canjear {token.code}", user_id=BEA, first_name="Bea")
        assert "ese código VIP ha caducado" in reply

    async def test_a_revoked_code_is_refused_with_the_way_to_buy(
        self, world: World, tokens: VipTokens, service: SubscriptionService
    ) -> None:
        """A code an admin withdrew gives nothing; Lucien says so and points to /vip."""
        (token,) = await tokens.create("vip-mensual", actor=DIANA, uses=5)
        await tokens.revoke(token.code, actor=DIANA)
        reply = await world.say(f"/canjear {token.code}")
        assert "fue retirado" in reply
        assert "/vip" in reply
        assert await service.status(ANA) is None


class TestDeepLinks:
    async def test_a_new_fan_following_the_link_is_greeted_and_made_vip(
        self, world: World, tokens: VipTokens, service: SubscriptionService
    ) -> None:
        """/start vip-… from a newcomer: Lucien introduces himself, then confirms the VIP, in one message."""
        (token,) = await tokens.create("vip-mensual", actor=DIANA)
        reply = await world.say(f"/start {token.code}")
        assert reply.startswith("Le doy la bienvenida, <b>Ana</b>.")
        assert "Código aceptado, <b>Ana</b>" in reply
        assert await service.vip.is_vip(ANA)
        assert len(world.server.messages(ANA)) == 1

    async def test_a_mangled_vip_link_is_no_greeting_but_an_unknown_code(
        self, world: World, service: SubscriptionService
    ) -> None:
        """/start vip-<garbage> is answered as a code that does not exist."""
        await world.say("/start")
        reply = await world.say("/start vip-nada")
        assert "no encuentro ningún código VIP así" in reply
        assert await service.status(ANA) is None

    async def test_plain_start_and_other_payloads_still_greet(self, world: World) -> None:
        """/start alone, or with a payload of no module's form, is the users module's greeting."""
        assert (await world.say("/start")).startswith("Le doy la bienvenida")
        assert (await world.say("/start hola")).startswith("¡Qué alegría tenerle de vuelta")
