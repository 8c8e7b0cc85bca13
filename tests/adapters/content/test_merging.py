"""Merging shipped and creator content: replace by key in place, add new keys, remove with «quitar: sí»."""

import textwrap
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

import pytest

from yabot_adapters.content import MergedContent, Section, SourceFile, YamlDocument, load_yaml, merge, plain


def _id(raw: Mapping[str, Any]) -> Hashable | None:
    value = raw.get("id")
    return value if isinstance(value, str) else None


def _pair(raw: Mapping[str, Any]) -> Hashable | None:
    value = raw.get("par")
    return tuple(sorted(value)) if isinstance(value, list) and len(value) == 2 else None


FLOWERS = Section(
    name="flores",
    noun="flor",
    feminine=True,
    key_fields=("id",),
    key=_id,
    label=lambda raw: f"flor «{raw['id']}»" if _id(raw) else None,
)
VASES = Section(
    name="jarrones",
    noun="jarrón",
    feminine=False,
    key_fields=("par",),
    key=_pair,
    label=lambda raw: "jarrón «{} + {}»".format(*raw["par"]) if _pair(raw) else None,
)


@pytest.fixture(name="write")
def write_fixture(tmp_path: Path):
    def write(name: str, text: str) -> YamlDocument:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        document, problems = load_yaml(SourceFile(path, name))
        assert document is not None, problems
        return document

    return write


@pytest.fixture(name="shipped")
def shipped_fixture(write) -> YamlDocument:
    return write(
        "serie.yaml",
        """\
        flores:
          - id: rosa
            color: roja
          - id: lirio
            color: blanco
          - id: tulipan
            color: amarillo
        jarrones:
          - par: [rosa, lirio]
        """,
    )


def summary(merged: MergedContent, section: str = "flores") -> list[tuple[Any, str, int, Any]]:
    return [
        (entry.key, entry.source.shown_as, entry.line, plain(entry.node).get("color"))
        for entry in merged.section(section)
    ]


def merged_problems(*documents: YamlDocument) -> list[str]:
    _, problems = merge(documents, [FLOWERS, VASES])
    return [str(problem) for problem in problems]


class TestRules:
    def test_the_shipped_file_alone_gives_its_entries_in_order_with_their_origin(
        self, shipped: YamlDocument
    ) -> None:
        """Every entry keeps its file and line."""
        merged, problems = merge([shipped], [FLOWERS, VASES])
        assert problems == []
        assert summary(merged) == [
            ("rosa", "serie.yaml", 2, "roja"),
            ("lirio", "serie.yaml", 4, "blanco"),
            ("tulipan", "serie.yaml", 6, "amarillo"),
        ]
        assert merged.section(VASES.name)[0].where == "serie.yaml, línea 9"

    def test_the_creators_entry_replaces_the_shipped_one_in_place_and_new_ones_follow(
        self, shipped: YamlDocument, write
    ) -> None:
        """Same key: the creator's entry wins, where the shipped one was; a new key comes after, in order."""
        creator = write(
            "content/x.yaml",
            """\
            flores:
              - id: margarita
                color: blanca
              - id: lirio
                color: morado
            """,
        )
        merged, problems = merge([shipped, creator], [FLOWERS, VASES])
        assert problems == []
        assert summary(merged) == [
            ("rosa", "serie.yaml", 2, "roja"),
            ("lirio", "content/x.yaml", 4, "morado"),
            ("tulipan", "serie.yaml", 6, "amarillo"),
            ("margarita", "content/x.yaml", 2, "blanca"),
        ]

    def test_a_pair_key_matches_in_either_order(self, shipped: YamlDocument, write) -> None:
        """A section keyed by an unordered pair replaces ``[a, b]`` with ``[b, a]``."""
        creator = write("content/x.yaml", "jarrones:\n  - par: [lirio, rosa]\n    grande: sí\n")
        merged, _ = merge([shipped, creator], [FLOWERS, VASES])
        assert [plain(entry.node) for entry in merged.section("jarrones")] == [
            {"par": ["lirio", "rosa"], "grande": "sí"}
        ]

    def test_quitar_si_removes_an_earlier_entry_and_records_where(self, shipped: YamlDocument, write) -> None:
        """``quitar: sí`` with only the key removes the entry; the removal is kept for later messages."""
        creator = write(
            "content/x.yaml",
            "flores:\n  - id: lirio\n    quitar: sí\njarrones:\n  - par: [lirio, rosa]\n    quitar: true\n",
        )
        merged, problems = merge([shipped, creator], [FLOWERS, VASES])
        assert problems == []
        assert [key for key, *_ in summary(merged)] == ["rosa", "tulipan"]
        assert merged.section("jarrones") == ()
        assert merged.removals["flores", "lirio"].where == "content/x.yaml, línea 2"

    def test_quitar_no_is_an_ordinary_entry(self, shipped: YamlDocument, write) -> None:
        """``quitar: no`` defines (here: replaces) the entry as usual; validation never sees ``quitar``."""
        creator = write("content/x.yaml", "flores:\n  - id: lirio\n    quitar: no\n    color: azul\n")
        merged, problems = merge([shipped, creator], [FLOWERS, VASES])
        assert problems == []
        assert summary(merged)[1] == ("lirio", "content/x.yaml", 2, "azul")

    def test_an_empty_section_is_allowed(self, write) -> None:
        """``flores:`` with nothing under it, or ``[]``, defines no entries and is not a problem."""
        merged, problems = merge([write("x.yaml", "flores:\njarrones: []\n")], [FLOWERS, VASES])
        assert (merged.section("flores"), problems) == ((), [])


class TestProblems:
    def test_removing_what_does_not_exist_is_a_problem_with_a_suggestion(
        self, shipped: YamlDocument, write
    ) -> None:
        """A removal that matches nothing is most often a typo in the key."""
        creator = write("content/x.yaml", "flores:\n  - id: lirios\n    quitar: sí\n")
        assert merged_problems(shipped, creator) == [
            "content/x.yaml, línea 2 (flor «lirios»): la flor no existe en los archivos anteriores, así que"
            " no"
            " hay nada que quitar (¿quiso decir «lirio»?)."
        ]

    def test_a_removal_carries_nothing_but_its_key(self, shipped: YamlDocument, write) -> None:
        """Extra fields beside ``quitar`` are named, at the first of them; the removal still applies."""
        creator = write(
            "content/x.yaml", "flores:\n  - id: lirio\n    quitar: sí\n    color: azul\n    olor: x\n"
        )
        merged, problems = merge([shipped, creator], [FLOWERS, VASES])
        assert [str(p) for p in problems] == [
            "content/x.yaml, línea 4 (flor «lirio»): para quitar la flor basta con «id»; sobran «color» y"
            " «olor»."
        ]
        assert "lirio" not in [key for key, *_ in summary(merged)]

    def test_a_removal_needs_its_key(self, shipped: YamlDocument, write) -> None:
        """Without the key there is nothing to match."""
        creator = write("content/x.yaml", "jarrones:\n  - quitar: sí\n")
        assert merged_problems(shipped, creator) == [
            "content/x.yaml, línea 2 (jarrón n.º 1): falta «par» para saber qué jarrón quitar."
        ]

    def test_quitar_must_be_yes_or_no(self, shipped: YamlDocument, write) -> None:
        """Anything but sí/no in ``quitar`` is a problem at that line."""
        creator = write("content/x.yaml", "flores:\n  - id: lirio\n    quitar: quizá\n")
        assert merged_problems(shipped, creator) == [
            "content/x.yaml, línea 3 (flor «lirio»): «quitar» debe ser sí o no."
        ]

    def test_a_key_twice_in_one_file_is_a_problem(self, shipped: YamlDocument, write) -> None:
        """Within one file each key appears once; the second names the line of the first; gender agrees."""
        creator = write(
            "content/x.yaml",
            "flores:\n  - id: lirio\n  - id: lirio\njarrones:\n  - par: [a, b]\n  - par: [b, a]\n",
        )
        assert merged_problems(shipped, creator) == [
            "content/x.yaml, línea 3 (flor «lirio»): la flor ya aparece en la línea 2 de este archivo; deje"
            " solo"
            " una.",
            "content/x.yaml, línea 6 (jarrón «b + a»): el jarrón ya aparece en la línea 5 de este archivo;"
            " deje"
            " solo uno.",
        ]

    def test_the_file_must_be_a_block_of_known_sections(self, write) -> None:
        """A list or a text at the top, an unknown section, a section that is not a list: each a problem."""
        assert merged_problems(write("a.yaml", "- id: rosa\n")) == [
            "a.yaml, línea 1: el archivo debe empezar por «flores:» o «jarrones:»; ahora contiene una lista."
        ]
        assert merged_problems(write("b.yaml", "flore: []\nhojas: []\n")) == [
            "b.yaml, línea 1: campo desconocido «flore» (¿quiso decir «flores»?).",
            "b.yaml, línea 2: campo desconocido «hojas»; aquí se admiten «flores» y «jarrones».",
        ]
        assert merged_problems(write("c.yaml", "flores:\n  id: rosa\n")) == [
            "c.yaml, línea 1: «flores» debe ser una lista (cada elemento en su línea, empezando por «- »),"
            " no un"
            " bloque de campos."
        ]

    def test_every_entry_must_be_a_block(self, write) -> None:
        """A list item that is a bare value is numbered, since it has no key to be named by."""
        assert merged_problems(write("a.yaml", "flores:\n  - id: rosa\n  - rosa\n")) == [
            "a.yaml, línea 3 (flor n.º 2): cada elemento de «flores» debe ser un bloque de campos «nombre:"
            " valor»,"
            " no el texto «rosa»."
        ]
