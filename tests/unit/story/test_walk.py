"""Random walks through the shipped story, as free and VIP fans: never an invalid state, never stuck.

Each example is one fan's evening: choices drawn among the open ones, pistas sometimes combined in the
mochila, the drawer's mission sometimes completed first, and now and then a stale, forged or locked press,
which must be refused and change nothing.
"""

import asyncio
from typing import Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contracts.common import record_everything, recorded_events
from tests.contracts.story_fixtures import STORY, StoryBench, story_bench
from yabot_adapters.memory import InMemoryStorage
from yabot_core.daily_gift import DailyGiftClaimed
from yabot_core.inventory import ItemKind
from yabot_core.kernel import CorrelationId, EventId, FakeClock, UserId, YabotError
from yabot_core.story import ChoiceState, Scene

FAN: Final = UserId(777)
MAX_STEPS: Final = 80
PISTAS: Final = ("pista-partitura", "pista-reloj")
MISSION: Final = "constancia-semanal"


async def _state(bench: StoryBench, storage: InMemoryStorage) -> tuple[object, ...]:
    return (
        await bench.narrative.progress(FAN, STORY),
        (await bench.wallet.balance(FAN)).balance,
        (await bench.mochila.inventory(FAN)).items,
        await bench.lucien.recent(user_id=FAN),
        len(await recorded_events(storage)),
    )


async def _check(bench: StoryBench, scene: Scene, *, vip: bool, steps: int) -> None:
    """The invariants every scene keeps."""
    progress, fragment = scene.progress, scene.fragment
    assert scene.story.get(progress.current) == fragment
    assert progress.step == steps
    assert fragment.id in progress.visited
    assert len(set(progress.visited)) == len(progress.visited)
    assert progress.completed == fragment.is_ending
    assert vip or not fragment.vip
    if not progress.completed:
        assert any(view.state is ChoiceState.OPEN for view in scene.choices), f"stuck at {fragment.id}"
    assert (await bench.wallet.balance(FAN)).balance >= 0
    for held in (await bench.mochila.inventory(FAN)).items:
        if held.definition is not None and held.definition.kind is ItemKind.PISTA:
            assert held.quantity == 1


async def _refused(bench: StoryBench, storage: InMemoryStorage, attempt: object) -> None:
    """A bad press is refused in Spanish and leaves everything as it was."""
    before = await _state(bench, storage)
    with pytest.raises(YabotError, match=r"\w"):
        await attempt  # type: ignore[misc]  # a decision's coroutine
    assert await _state(bench, storage) == before


async def _evening(data: st.DataObject, *, vip: bool) -> None:
    clock = FakeClock()
    storage = InMemoryStorage(clock)
    record_everything(storage)
    bench = story_bench(storage, clock)
    await bench.register(FAN)
    if vip:
        await bench.make_vip(FAN, days=365)
    if data.draw(st.booleans()):
        await _complete_mission(bench, clock)
    scene = await bench.narrative.scene(FAN)
    steps = 0
    previous: Scene | None = None
    while not scene.progress.completed and steps < MAX_STEPS:
        await _check(bench, scene, vip=vip, steps=steps)
        bad = data.draw(st.sampled_from(["none", "none", "none", "stale", "forged", "locked"]))
        if bad == "stale" and previous is not None:
            choice = data.draw(st.sampled_from(previous.fragment.choices))
            await _refused(
                bench, storage, bench.narrative.decide(FAN, STORY, previous.fragment.id, choice.id)
            )
            await _refused(
                bench,
                storage,
                bench.narrative.decide(
                    FAN, STORY, scene.fragment.id, scene.choices[0].choice.id, step=steps - 1
                ),
            )
        elif bad == "forged":
            forged = data.draw(st.text(min_size=1, max_size=40))
            if scene.fragment.choice(forged) is not None:
                forged += "~"  # a real choice's id made unreal
            await _refused(bench, storage, bench.narrative.decide(FAN, STORY, scene.fragment.id, forged))
        elif bad == "locked":
            for view in scene.choices:
                if view.state is not ChoiceState.OPEN:
                    await _refused(
                        bench, storage, bench.narrative.decide(FAN, STORY, scene.fragment.id, view.choice.id)
                    )
        held = {item.item_id for item in (await bench.mochila.inventory(FAN)).items if item.quantity}
        if set(PISTAS) <= held and data.draw(st.booleans()):
            await bench.mochila.combine(FAN, *PISTAS, idempotency_key=f"combine-{steps}")
            scene = await bench.narrative.scene(FAN)
        options = [view.choice for view in scene.choices if view.state is ChoiceState.OPEN]
        choice = data.draw(st.sampled_from(options))
        previous = scene
        scene = await bench.narrative.decide(FAN, STORY, scene.fragment.id, choice.id, step=steps)
        steps += 1
    await _check(bench, scene, vip=vip, steps=steps)


async def _complete_mission(bench: StoryBench, clock: FakeClock) -> None:
    """Three daily gifts this week: «constancia-semanal», which opens the study's drawer, is done."""
    await bench.missions.assign(FAN, MISSION)
    for day in range(3):
        await bench.missions.on_event(
            DailyGiftClaimed(
                event_id=EventId(f"regalo-{day}"),
                occurred_at=clock.now(),
                correlation_id=CorrelationId("c"),
                user_id=FAN,
                day=clock.now().date(),
                streak=day + 1,
                besitos=1,
            )
        )
    assert await bench.missions.completed(FAN, MISSION)


WALKS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@WALKS
@given(data=st.data())
def test_a_free_fan_never_reaches_an_invalid_state(data: st.DataObject) -> None:
    """A free fan's walk keeps every invariant, never enters a VIP passage, never gets stuck."""
    asyncio.run(_evening(data, vip=False))


@WALKS
@given(data=st.data())
def test_a_vip_fan_never_reaches_an_invalid_state(data: st.DataObject) -> None:
    """A VIP fan's walk keeps every invariant and may cross into the VIP passages."""
    asyncio.run(_evening(data, vip=True))
