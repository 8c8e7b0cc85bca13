"""Stories from YAML: the shipped ones, the creator's over them, and every graph problem by file and line."""

import textwrap
from pathlib import Path

import pytest

from yabot_adapters.content import ContentError, load_story_library
from yabot_app.content import SHIPPED_STORIES
from yabot_core.story import GiveItem, MissionCondition, VipCondition

ITEMS = ["pista-a", "pista-b"]

SHORT = """\
id: corta
titulo: Una historia corta
inicio: puerta
fragmentos:
  - id: puerta
    titulo: La puerta
    texto: Lucien abre.
    opciones:
      - id: entrar
        texto: Entrar
        destino: sala
  - id: sala
    titulo: La sala
    texto: Fin.
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(shipped: Path, content: Path | None = None, text_check: object = None) -> list[str]:
    with pytest.raises(ContentError) as raised:
        load_story_library(shipped, content, ITEMS, text_check=text_check)  # type: ignore[arg-type]
    return [str(problem) for problem in raised.value.problems]


class TestShipped:
    def test_the_shipped_story_is_whole_and_big_enough(self) -> None:
        """«El invernadero» loads: 25+ fragments, 3 endings, a VIP branch, pistas, a mission condition."""
        from tests.contracts.story_fixtures import shipped_library  # noqa: PLC0415  (the shipped catalog)

        story = shipped_library().first
        assert story is not None
        assert len(story) >= 25
        assert sum(fragment.is_ending for fragment in story) == 3
        assert any(fragment.vip for fragment in story)
        given = {
            effect.item for fragment in story for effect in fragment.on_entry if isinstance(effect, GiveItem)
        }
        assert given == {"pista-partitura", "pista-reloj", "pista-perfume"}
        conditions = [c for fragment in story for choice in fragment.choices for c in choice.conditions]
        assert any(isinstance(condition, MissionCondition) for condition in conditions)
        assert not any(isinstance(condition, VipCondition) for condition in conditions)


class TestGraph:
    def test_a_short_story_loads(self, tmp_path: Path) -> None:
        """Two fragments, one choice, an ending: one story in the library."""
        write(tmp_path / "s", "corta.yaml", SHORT)
        library = load_story_library(tmp_path / "s", None, ITEMS)
        assert [story.id for story in library] == ["corta"]

    def test_every_graph_problem_names_file_line_and_fragment(self, tmp_path: Path) -> None:
        """Unknown target and item, a repeated id, an unset flag, an unknown visited: all at once."""
        write(
            tmp_path / "s",
            "rota.yaml",
            """\
            id: rota
            titulo: Rota
            inicio: puerta
            fragmentos:
              - id: puerta
                titulo: La puerta
                texto: Lucien abre.
                al_entrar:
                  - dar: pista-c
                opciones:
                  - id: entrar
                    texto: Entrar
                    destino: salaa
                  - id: mirar
                    texto: Mirar
                    destino: sala
                    condiciones:
                      - marca: nunca
                      - visitado: jardin
              - id: sala
                titulo: La sala
                texto: Fin.
              - id: sala
                titulo: Otra sala
                texto: Otra vez.
            """,
        )
        found = problems(tmp_path / "s")
        shown = str(tmp_path / "s" / "rota.yaml")
        assert found == [
            f"{shown}, línea 9 (fragmento «puerta»): «dar» nombra «pista-c», que no está en el catálogo de"
            " objetos (¿quiso decir «pista-b»?).",
            f"{shown}, línea 13 (fragmento «puerta»): la opción «entrar» lleva a «salaa», que no existe"
            " (¿quiso decir «sala»?).",
            f"{shown}, línea 18 (fragmento «puerta»): la condición pide la marca «nunca», pero ningún"
            " fragmento ni opción la pone con «marcar»: nunca se cumpliría.",
            f"{shown}, línea 19 (fragmento «puerta»): la condición «visitado» nombra «jardin», que no"
            " existe.",
            f"{shown}, línea 23 (fragmento «sala»): el id «sala» ya lo usa el fragmento n.º 2; cada id debe"
            " ser único en la historia.",
        ]

    def test_unreachable_fragments_traps_and_missing_endings_are_named(self, tmp_path: Path) -> None:
        """A fragment nobody reaches, and a loop with no way out, are each pointed at."""
        write(
            tmp_path / "s",
            "bucle.yaml",
            """\
            id: bucle
            titulo: Bucle
            inicio: a
            fragmentos:
              - id: a
                titulo: A
                texto: Uno.
                opciones:
                  - {id: ir, texto: Ir, destino: b}
              - id: b
                titulo: B
                texto: Dos.
                opciones:
                  - {id: volver, texto: Volver, destino: a}
              - id: perdido
                titulo: Perdido
                texto: Nadie llega.
            """,
        )
        found = problems(tmp_path / "s")
        assert [problem.split(": ", 1)[0].rsplit(", ", 1)[-1] for problem in found] == [
            "línea 3 (historia «bucle»)",
            "línea 15 (fragmento «perdido»)",
        ]
        assert "ningún final se alcanza desde «inicio»" in found[0]
        assert "nadie podrá leerlo" in found[1]

    def test_a_passage_with_no_way_to_any_ending_is_named(self, tmp_path: Path) -> None:
        """A fan who enters a loop that never reaches an ending could not finish: the loop's fragments."""
        write(
            tmp_path / "s",
            "trampa.yaml",
            """\
            id: trampa
            titulo: Trampa
            inicio: a
            fragmentos:
              - id: a
                titulo: A
                texto: Uno.
                opciones:
                  - {id: fin, texto: Terminar, destino: fin}
                  - {id: pozo, texto: Bajar al pozo, destino: pozo}
              - id: fin
                titulo: Fin
                texto: Fin.
              - id: pozo
                titulo: Pozo
                texto: Oscuro.
                opciones:
                  - {id: eco, texto: Escuchar, destino: eco}
              - id: eco
                titulo: Eco
                texto: Eco.
                opciones:
                  - {id: pozo, texto: Volver, destino: pozo}
            """,
        )
        found = problems(tmp_path / "s")
        assert [problem.split(": ", 1)[0].rsplit(", ", 1)[-1] for problem in found] == [
            "línea 17 (fragmento «pozo»)",
            "línea 22 (fragmento «eco»)",
        ]
        assert all("ningún camino llega a un final" in problem for problem in found)

    def test_field_mistakes_are_said_in_spanish_at_their_line(self, tmp_path: Path) -> None:
        """An unknown condition key, a VIP flag that is not sí/no, an unknown field: each at its line."""
        write(
            tmp_path / "s",
            "mal.yaml",
            """\
            id: mal
            titulo: Mal
            inicio: a
            fragmentos:
              - id: a
                titulo: A
                texto: Uno.
                vip: quizá
                opciones:
                  - id: ir
                    texto: Ir
                    destino: b
                    condiciones:
                      - tener: pista-a
              - id: b
                titulo: B
                texto: Fin.
                imagen: foto.jpg
            """,
        )
        found = problems(tmp_path / "s")
        shown = str(tmp_path / "s" / "mal.yaml")
        assert found[0] == f"{shown}, línea 8 (fragmento «a»): «vip» debe ser verdadero o falso (sí o no)."
        assert found[1].startswith(
            f"{shown}, línea 14 (fragmento «a»): cada condición empieza por una de estas"
        )
        assert "«tiene»" in found[1]
        assert found[2].startswith(f"{shown}, línea 18 (fragmento «b»): campo desconocido «imagen»")

    def test_lucien_texts_are_checked_where_they_are_written(self, tmp_path: Path) -> None:
        """A scheduled message the texts cannot render is named at its line."""
        story = SHORT.replace(
            "    texto: Lucien abre.\n",
            "    texto: Lucien abre.\n    al_entrar:\n      - mensaje: Hola { $quien }\n",
        )
        write(tmp_path / "s", "corta.yaml", story)
        found = problems(
            tmp_path / "s", text_check=lambda text: ["no conozco «quien»."] if "quien" in text else []
        )
        assert found == [
            f"{tmp_path / 's' / 'corta.yaml'}, línea 9 (fragmento «puerta»): el «mensaje» no sirve:"
            " no conozco «quien»."
        ]


class TestCreator:
    def test_the_creators_story_replaces_a_shipped_one_and_adds_others(self, tmp_path: Path) -> None:
        """Her file with a shipped id replaces it; a new id is added after the shipped ones."""
        write(tmp_path / "s", "corta.yaml", SHORT)
        write(tmp_path / "content" / "stories", "mia.yaml", SHORT.replace("Una historia corta", "La mía"))
        write(tmp_path / "content" / "stories", "nueva.yaml", SHORT.replace("id: corta", "id: nueva"))
        library = load_story_library(tmp_path / "s", tmp_path / "content", ITEMS)
        assert [(story.id, story.header.title) for story in library] == [
            ("corta", "La mía"),
            ("nueva", "Una historia corta"),
        ]

    def test_she_may_remove_a_shipped_story_and_is_told_of_a_mistaken_removal(self, tmp_path: Path) -> None:
        """``id`` and ``quitar: sí`` removes a shipped story; naming one that does not exist is a problem."""
        write(tmp_path / "s", "corta.yaml", SHORT)
        write(tmp_path / "content" / "stories", "quitar.yaml", "id: corta\nquitar: sí\n")
        assert len(load_story_library(tmp_path / "s", tmp_path / "content", ITEMS)) == 0
        write(tmp_path / "content" / "stories", "quitar.yaml", "id: cortaa\nquitar: sí\n")
        assert problems(tmp_path / "s", tmp_path / "content") == [
            "content/stories/quitar.yaml, línea 1: no hay ninguna historia «cortaa» de serie que quitar."
        ]

    def test_two_files_of_hers_with_one_story_are_refused(self, tmp_path: Path) -> None:
        """Each story lives in one file of hers."""
        write(tmp_path / "content" / "stories", "a.yaml", SHORT)
        write(tmp_path / "content" / "stories", "b.yaml", SHORT)
        assert problems(tmp_path / "s", tmp_path / "content") == [
            "content/stories/b.yaml, línea 1 (historia «corta»): la historia «corta» ya está definida en"
            " content/stories/a.yaml; cada historia va en un solo archivo."
        ]


def test_the_shipped_folder_is_the_apps() -> None:
    """The shipped stories live beside the shipped catalogs."""
    assert (SHIPPED_STORIES / "el-invernadero.yaml").is_file()
