"""The story engine's rules: where a fan is, which decisions are taken, and what each one does at once."""

from datetime import timedelta

import pytest

from tests.contracts.common import OPERATOR, recorded_events
from tests.contracts.story_fixtures import STORY, StoryBench, story_bench
from tests.contracts.subscription_fixtures import subscription_service
from yabot_adapters.memory import InMemoryStorage
from yabot_core.daily_gift import DailyGiftClaimed
from yabot_core.kernel import CorrelationId, EventId, FakeClock, UserId
from yabot_core.lucien import MessageState
from yabot_core.story import (
    ChoiceState,
    ConditionNotMetError,
    Fragment,
    NarrativeCompleted,
    Scene,
    StaleChoiceError,
    Story,
    StoryHeader,
    StoryLibrary,
    StoryVipNotices,
    UnknownChoiceError,
    UnknownStoryError,
    UnresolvableConditionError,
    VipRequiredError,
)
from yabot_core.subscriptions import SubscriptionStarted

ANA = UserId(501)

TO_THE_CURTAIN = [
    ("umbral", "entrar"),
    ("vestibulo", "musica"),
    ("salon-de-musica", "reloj"),
    ("reloj-de-pared", "volver"),
    ("salon-de-musica", "volver"),
    ("vestibulo", "biblioteca"),
    ("biblioteca", "estante"),
    ("estanteria-alta", "bajar"),
    ("biblioteca", "volver"),
    ("vestibulo", "jardin"),
]
"""From the door to the garden, holding both halves of the greenhouse's code (not yet combined)."""


async def walk(bench: StoryBench, path: list[tuple[str, str]], user: UserId = ANA) -> Scene:
    scene = await bench.narrative.scene(user, STORY)
    for fragment, choice in path:
        scene = await bench.narrative.decide(user, STORY, fragment, choice)
    return scene


async def snapshot(bench: StoryBench, storage: InMemoryStorage, user: UserId = ANA) -> tuple[object, ...]:
    """Everything a decision could change: progress, besitos, mochila, Lucien's messages, events."""
    return (
        await bench.narrative.progress(user, STORY),
        (await bench.wallet.balance(user)).balance,
        (await bench.mochila.inventory(user)).items,
        await bench.lucien.recent(user_id=user),
        len(await recorded_events(storage)),
    )


@pytest.fixture(name="ana")
async def ana_fixture(bench: StoryBench) -> UserId:
    await bench.register(ANA)
    return ANA


class TestStart:
    async def test_a_new_fan_starts_at_the_door_with_its_welcome(
        self, bench: StoryBench, ana: UserId
    ) -> None:
        """The first scene is the start, its entry effects applied once; asking again changes nothing."""
        scene = await bench.narrative.scene(ana)
        assert scene.fragment.id == "umbral"
        assert scene.outcome.besitos == 5
        assert [view.state for view in scene.choices] == [ChoiceState.OPEN, ChoiceState.OPEN]
        again = await bench.narrative.scene(ana)
        assert again.progress == scene.progress
        assert (await bench.wallet.balance(ana)).balance == 5

    async def test_an_unknown_story_is_refused_in_spanish(self, bench: StoryBench, ana: UserId) -> None:
        """A story id nobody wrote gets a Spanish not-found."""
        with pytest.raises(UnknownStoryError, match="No conozco ninguna historia"):
            await bench.narrative.scene(ana, "otra-historia")


class TestRefusals:
    async def test_stale_unknown_and_forged_decisions_change_nothing(
        self, bench: StoryBench, storage: InMemoryStorage, ana: UserId
    ) -> None:
        """An old fragment, an old step, a choice the fragment lacks: refused in Spanish, nothing moves."""
        await walk(bench, [("umbral", "entrar")])
        before = await snapshot(bench, storage)
        with pytest.raises(StaleChoiceError, match="ya quedó atrás"):
            await bench.narrative.decide(ana, STORY, "umbral", "entrar")
        with pytest.raises(StaleChoiceError):
            await bench.narrative.decide(ana, STORY, "vestibulo", "jardin", step=0)
        with pytest.raises(UnknownChoiceError, match="no figura"):
            await bench.narrative.decide(ana, STORY, "vestibulo", "volar")
        with pytest.raises(StaleChoiceError):
            await bench.narrative.decide(UserId(999), STORY, "umbral", "entrar")
        assert await snapshot(bench, storage) == before

    async def test_an_unmet_condition_says_why_and_changes_nothing(
        self, bench: StoryBench, storage: InMemoryStorage, ana: UserId
    ) -> None:
        """The piano needs the score: without it the choice is locked, with the reason, and refused."""
        scene = await walk(bench, [("umbral", "entrar"), ("vestibulo", "musica")])
        assert scene.choices[0].state is ChoiceState.LOCKED
        assert scene.choices[0].reason == "hace falta «Partitura sin título» en su mochila."
        before = await snapshot(bench, storage)
        with pytest.raises(ConditionNotMetError, match="Partitura sin título"):
            await bench.narrative.decide(ana, STORY, "salon-de-musica", "tocar")
        assert await snapshot(bench, storage) == before

    async def test_a_mission_condition_asks_the_missions_module(
        self, bench: StoryBench, clock: FakeClock, ana: UserId
    ) -> None:
        """The drawer needs «constancia-semanal»: closed (named by its title) until the missions module says
        the fan completed it, then open; a refused press changes nothing."""
        await walk(bench, [("umbral", "entrar"), ("vestibulo", "escalera"), ("escalera", "subir")])
        scene = await bench.narrative.decide(ana, STORY, "pasillo", "estudio")
        drawer = next(view for view in scene.choices if view.choice.id == "cajon")
        assert drawer.state is ChoiceState.LOCKED
        assert drawer.reason == "antes debe cumplir la misión «Constancia» (vea /misiones)."
        with pytest.raises(ConditionNotMetError, match="Constancia"):
            await bench.narrative.decide(ana, STORY, "estudio", "cajon")
        await bench.missions.assign(ana, "constancia-semanal")
        for day in range(3):
            await bench.missions.on_event(
                DailyGiftClaimed(
                    event_id=EventId(f"regalo-{day}"),
                    occurred_at=clock.now(),
                    correlation_id=CorrelationId("c"),
                    user_id=ana,
                    day=clock.now().date(),
                    streak=day + 1,
                    besitos=1,
                )
            )
        assert await bench.missions.completed(ana, "constancia-semanal")
        scene = await bench.narrative.scene(ana, STORY)
        assert next(v for v in scene.choices if v.choice.id == "cajon").state is ChoiceState.OPEN
        scene = await bench.narrative.decide(ana, STORY, "estudio", "cajon")
        assert scene.fragment.id == "cajon"

    async def test_a_mission_the_catalog_lacks_is_never_done(
        self, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """A story built in code, never checked against the missions: an unknown mission keeps it shut."""
        header = StoryHeader.model_validate({"id": "cajon", "titulo": "Cajón", "inicio": "a"})
        door = {"id": "abrir", "texto": "Abrir", "destino": "b", "condiciones": [{"mision": "no-existe"}]}
        fragments = (
            Fragment.model_validate(
                {
                    "id": "a",
                    "titulo": "A",
                    "texto": "A",
                    "opciones": [door, {"id": "irse", "texto": "Irse", "destino": "b"}],
                }
            ),
            Fragment.model_validate({"id": "b", "titulo": "B", "texto": "B"}),
        )
        bench = story_bench(storage, clock, library=StoryLibrary((Story(header, fragments),)))
        await bench.register(ANA)
        scene = await bench.narrative.scene(ANA)
        assert scene.choices[0].state is ChoiceState.LOCKED
        with pytest.raises(ConditionNotMetError, match="no-existe"):
            await bench.narrative.decide(ANA, "cajon", "a", "abrir")

    async def test_without_missions_a_mission_condition_stays_closed(
        self, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """An engine built without the missions module cannot check one: closed, never silently open."""
        bench = story_bench(storage, clock, with_missions=False)
        await bench.register(ANA)
        await walk(bench, [("umbral", "entrar"), ("vestibulo", "escalera"), ("escalera", "subir")])
        scene = await bench.narrative.decide(ANA, STORY, "pasillo", "estudio")
        drawer = next(view for view in scene.choices if view.choice.id == "cajon")
        assert drawer.state is ChoiceState.UNCHECKABLE
        with pytest.raises(UnresolvableConditionError, match="no puedo comprobarla"):
            await bench.narrative.decide(ANA, STORY, "estudio", "cajon")


class TestEffects:
    async def test_a_combination_in_the_mochila_opens_the_greenhouse(
        self, bench: StoryBench, ana: UserId
    ) -> None:
        """Score + stopped hour combine into the code; only then does the greenhouse open, paying once."""
        scene = await walk(bench, [*TO_THE_CURTAIN, ("jardin", "invernadero")])
        assert scene.choices[0].state is ChoiceState.LOCKED
        await bench.mochila.combine(ana, "pista-partitura", "pista-reloj", idempotency_key="combina-1")
        scene = await bench.narrative.scene(ana)
        assert scene.choices[0].state is ChoiceState.OPEN
        scene = await bench.narrative.decide(ana, STORY, "invernadero-puerta", "abrir")
        assert scene.fragment.id == "invernadero"
        assert scene.outcome.besitos == 15
        assert (await bench.wallet.balance(ana)).balance == 5 + 15

    async def test_rewards_and_pistas_come_once_per_place(self, bench: StoryBench, ana: UserId) -> None:
        """Passing by the clock twice gives its pista once; the kitchen's besitos come once."""
        round_trip = [("vestibulo", "cocina"), ("cocina", "volver")]
        await walk(bench, [("umbral", "entrar"), *round_trip, *round_trip])
        assert (await bench.wallet.balance(ana)).balance == 5 + 5
        given = []
        for _ in range(2):
            await bench.narrative.decide(ana, STORY, "vestibulo", "musica")
            scene = await bench.narrative.decide(ana, STORY, "salon-de-musica", "reloj")
            given.append([item.item_id for item in scene.outcome.given])
            await bench.narrative.decide(ana, STORY, "reloj-de-pared", "volver")
            await bench.narrative.decide(ana, STORY, "salon-de-musica", "volver")
        assert given == [["pista-reloj"], []]
        assert (await bench.mochila.item(ana, "pista-reloj")).quantity == 1

    async def test_lucien_writes_later_on_a_durable_timer(
        self, bench: StoryBench, storage: InMemoryStorage, clock: FakeClock, ana: UserId
    ) -> None:
        """Waiting in the study schedules Lucien's message an hour later, in the same unit of work."""
        path = [
            ("umbral", "entrar"),
            ("vestibulo", "escalera"),
            ("escalera", "subir"),
            ("pasillo", "estudio"),
        ]
        scene = await walk(bench, [*path, ("estudio", "esperar")])
        assert scene.fragment.id == "espera"
        (message,) = await bench.lucien.recent(user_id=ana)
        assert message.state is MessageState.SCHEDULED
        assert message.due_at == clock.now() + timedelta(minutes=60)
        assert "ha preguntado si seguía usted" in (message.text or "")
        assert [timer.key for timer in await storage.timer_store.pending(limit=10)] == [
            f"lucien:{message.key}"
        ]

    async def test_an_ending_completes_the_story_and_it_can_begin_again(
        self, bench: StoryBench, storage: InMemoryStorage, ana: UserId
    ) -> None:
        """The portrait, then waiting to the end: ``NarrativeCompleted``; a restart pays nothing twice."""
        path = [
            ("umbral", "entrar"),
            ("vestibulo", "escalera"),
            ("escalera", "subir"),
            ("pasillo", "retrato"),
        ]
        path += [
            ("retrato", "volver"),
            ("pasillo", "estudio"),
            ("estudio", "esperar"),
            ("espera", "quedarse"),
        ]
        scene = await walk(bench, path)
        assert scene.progress.completed
        assert scene.outcome.completed
        assert scene.choices == ()
        completed = [
            event for event in await recorded_events(storage) if isinstance(event, NarrativeCompleted)
        ]
        assert [event.ending for event in completed] == ["final-paciencia"]
        balance = (await bench.wallet.balance(ana)).balance
        again = await bench.narrative.restart(ana, STORY)
        assert again.fragment.id == "umbral"
        assert again.progress.step == 0
        assert not again.progress.completed
        assert (await bench.wallet.balance(ana)).balance == balance
        with pytest.raises(StaleChoiceError):
            await bench.narrative.restart(ana, STORY)


class TestVip:
    async def test_the_curtain_is_locked_for_a_free_fan_and_opens_with_vip(
        self, bench: StoryBench, storage: InMemoryStorage, ana: UserId
    ) -> None:
        """A free fan sees the VIP passage locked and is refused; once VIP, the same choice goes on."""
        await bench.mochila.add(ana, "pista-perfume", reason="test", idempotency_key="perfume")
        await bench.mochila.add(ana, "clave-del-invernadero", reason="test", idempotency_key="clave")
        path = [("umbral", "entrar"), ("vestibulo", "jardin"), ("jardin", "invernadero")]
        scene = await walk(bench, [*path, ("invernadero-puerta", "abrir"), ("invernadero", "perfume")])
        assert scene.fragment.id == "invernadero-fondo"
        assert scene.choices[0].state is ChoiceState.VIP_LOCKED
        before = await snapshot(bench, storage)
        with pytest.raises(VipRequiredError, match="/vip"):
            await bench.narrative.decide(ana, STORY, "invernadero-fondo", "cruzar")
        assert await snapshot(bench, storage) == before
        await bench.make_vip(ana)
        started = [
            event for event in await recorded_events(storage) if isinstance(event, SubscriptionStarted)
        ]
        await bench.narrative.scene(ana)
        await StoryVipNotices(bench.narrative, bench.lucien).on_subscription_started(started[0])
        assert (
            "Ya puede seguir «El invernadero de Diana» desde «La cortina de terciopelo»"
            in bench.messenger.sent[-1][1]
        )
        scene = await bench.narrative.decide(ana, STORY, "invernadero-fondo", "cruzar")
        assert scene.fragment.id == "salon-privado"
        assert scene.fragment.vip

    async def test_a_grant_from_another_process_is_told_before_this_one_sees_it(
        self, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """The event proves VIP: Lucien tells the fan at the gate even while this process's VIP memory still
        says «not VIP» (a grant from the shell is seen here only after a moment)."""
        bench = story_bench(storage, clock, vip_ttl=timedelta(seconds=2))
        await bench.register(ANA)
        await bench.mochila.add(ANA, "pista-perfume", reason="test", idempotency_key="perfume")
        await bench.mochila.add(ANA, "clave-del-invernadero", reason="test", idempotency_key="clave")
        path = [("umbral", "entrar"), ("vestibulo", "jardin"), ("jardin", "invernadero")]
        scene = await walk(bench, [*path, ("invernadero-puerta", "abrir"), ("invernadero", "perfume")])
        assert scene.choices[0].state is ChoiceState.VIP_LOCKED
        shell = subscription_service(storage, clock, prefix="shell", vip_ttl=timedelta(0))
        await shell.grant(ANA, days=30, actor=OPERATOR, idempotency_key="vip-shell")
        assert not await bench.subscriptions.vip.is_vip(ANA)  # the premise: this process has not seen it
        (started,) = [e for e in await recorded_events(storage) if isinstance(e, SubscriptionStarted)]
        await StoryVipNotices(bench.narrative, bench.lucien).on_subscription_started(started)
        assert "Ya puede seguir «El invernadero de Diana»" in bench.messenger.sent[-1][1]

    async def test_a_fan_not_at_a_gate_hears_nothing_on_becoming_vip(
        self, bench: StoryBench, storage: InMemoryStorage, ana: UserId
    ) -> None:
        """Becoming VIP anywhere else in the story says nothing."""
        await walk(bench, [("umbral", "entrar")])
        await bench.make_vip(ana)
        started = [
            event for event in await recorded_events(storage) if isinstance(event, SubscriptionStarted)
        ]
        await StoryVipNotices(bench.narrative, bench.lucien).on_subscription_started(started[0])
        assert bench.messenger.sent == []
