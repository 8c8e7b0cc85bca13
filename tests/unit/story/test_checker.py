"""The checker's assumptions: items from outside the story, and pistas combined in the mochila."""

from tests.contracts.story_fixtures import shipped_catalog
from yabot_core.story import Fragment, Severity, Story, StoryHeader, explore


def story(*fragments: dict[str, object]) -> Story:
    header = StoryHeader.model_validate({"id": "prueba", "titulo": "Prueba", "inicio": "a"})
    return Story(header, tuple(Fragment.model_validate(fragment) for fragment in fragments))


def gate(item: str, **extra: object) -> dict[str, object]:
    choices = [
        {"id": "abrir", "texto": "Abrir", "destino": "b", "condiciones": [{"tiene": item}]},
        {"id": "irse", "texto": "Irse", "destino": "b"},
    ]
    return {"id": "a", "titulo": "A", "texto": "A", "opciones": choices, **extra}


END = {"id": "b", "titulo": "B", "texto": "B"}


async def test_an_item_the_story_never_gives_is_a_warning_not_an_error() -> None:
    """The store or a gift may bring it: the choice counts as open, and the creator is warned."""
    found = (await explore(story(gate("llave-dorada"), END), shipped_catalog())).findings
    assert [(f.severity, f.problem.loc) for f in found] == [
        (Severity.WARNING, ("opciones", 0, "condiciones", 0))
    ]
    assert "ningún lugar de esta historia da «llave-dorada»" in found[0].problem.message


async def test_two_pistas_the_story_gives_combine_into_the_one_asked() -> None:
    """Both halves of the letter given on entry: «carta-de-diana» can be held, so nothing is reported."""
    entry = [{"dar": "carta-rota-izquierda"}, {"dar": "carta-rota-derecha"}]
    found = (await explore(story(gate("carta-de-diana", al_entrar=entry), END), shipped_catalog())).findings
    assert found == ()
