"""A new version of a story keeps every fan's progress valid: moved once, to where the story says."""

from typing import Final

import pytest

from tests.contracts.story_fixtures import story_bench
from yabot_adapters.memory import InMemoryStorage
from yabot_core.kernel import FakeClock, UserId
from yabot_core.story import Fragment, InvalidStoryError, Story, StoryHeader, StoryLibrary

FAN: Final = UserId(321)


def story(version: int, *fragments: dict[str, object], start: str = "a") -> Story:
    header = StoryHeader.model_validate(
        {"id": "cuento", "titulo": "Cuento", "version": version, "inicio": start}
    )
    return Story(header, tuple(Fragment.model_validate(fragment) for fragment in fragments))


def passage(fragment_id: str, *targets: str, **extra: object) -> dict[str, object]:
    choices = [{"id": f"ir-{target}", "texto": target, "destino": target} for target in targets]
    return {"id": fragment_id, "titulo": fragment_id, "texto": fragment_id, "opciones": choices, **extra}


FIRST = story(1, passage("a", "b"), passage("b", "c"), passage("c"))


async def fan_at_b(storage: InMemoryStorage, clock: FakeClock) -> None:
    bench = story_bench(storage, clock, library=StoryLibrary((FIRST,)))
    await bench.register(FAN)
    scene = await bench.narrative.scene(FAN, "cuento")
    await bench.narrative.decide(FAN, "cuento", "a", "ir-b", step=scene.progress.step)


async def test_a_fan_on_a_replaced_fragment_moves_to_its_successor_once(
    storage: InMemoryStorage, clock: FakeClock
) -> None:
    """`reemplaza: [b]` takes the fan at «b» to the new fragment, one revision later, and only once."""
    await fan_at_b(storage, clock)
    before = await storage.story_queries.get(FAN, "cuento")  # type: ignore[arg-type]
    assert before is not None
    second = story(2, passage("a", "b2"), passage("b2", "c", reemplaza=["b"]), passage("c"))
    bench = story_bench(storage, clock, library=StoryLibrary((second,)), prefix="v2")
    scene = await bench.narrative.scene(FAN, "cuento")
    assert scene.fragment.id == "b2"
    assert (scene.progress.story_version, scene.progress.revision) == (2, before.revision + 1)
    assert scene.progress.visited == ("a", "b2")
    assert scene.progress.flags == before.flags
    again = await bench.narrative.scene(FAN, "cuento")
    assert again.progress == scene.progress


async def test_without_a_successor_the_fan_goes_back_to_the_last_fragment_still_there(
    storage: InMemoryStorage, clock: FakeClock
) -> None:
    """«b» removed and replaced by nobody: the fan is back at «a», the last visited that still exists."""
    await fan_at_b(storage, clock)
    second = story(2, passage("a", "c"), passage("c"))
    bench = story_bench(storage, clock, library=StoryLibrary((second,)), prefix="v2")
    scene = await bench.narrative.scene(FAN, "cuento")
    assert (scene.fragment.id, scene.progress.visited) == ("a", ("a",))


async def test_with_nothing_left_the_fan_starts_again(storage: InMemoryStorage, clock: FakeClock) -> None:
    """Every fragment the fan knew is gone: the fan is at the new start, and can go on from there."""
    await fan_at_b(storage, clock)
    second = story(2, passage("z", "y"), passage("y"), start="z")
    bench = story_bench(storage, clock, library=StoryLibrary((second,)), prefix="v2")
    scene = await bench.narrative.scene(FAN, "cuento")
    assert (scene.fragment.id, scene.progress.visited) == ("z", ("z",))
    moved = await bench.narrative.decide(FAN, "cuento", "z", "ir-y", step=scene.progress.step)
    assert moved.fragment.id == "y"


@pytest.mark.parametrize(
    ("fragments", "words"),
    [
        (
            (passage("a", "b", reemplaza=["b"]), passage("b")),
            "«reemplaza» nombra «b», que sigue en la historia",
        ),
        (
            (passage("a", "b", reemplaza=["viejo"]), passage("b", reemplaza=["viejo"])),
            "«viejo» ya lo reemplaza el fragmento «a»",
        ),
    ],
)
def test_replaces_names_only_removed_fragments_each_once(
    fragments: tuple[dict[str, object], ...], words: str
) -> None:
    """A story whose `reemplaza` names a living fragment, or one named twice, does not load."""
    with pytest.raises(InvalidStoryError) as raised:
        story(2, *fragments)
    assert words in str(raised.value.message)
