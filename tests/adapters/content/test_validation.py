"""Validating YAML against a model: each pydantic error is one Spanish line at the key or item at fault."""

import textwrap
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, field_validator

from yabot_adapters.content import SourceFile, describe, load_yaml, validate


class Color(StrEnum):
    ROJO = "rojo"
    AZUL = "azul"


class Petal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    color: Color
    size: int = Field(alias="tamano", ge=1, le=10)


class Flower(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str = Field(alias="nombre", min_length=1, max_length=10)
    fresh: bool = Field(default=True, alias="fresca")
    season: Literal["primavera", "verano"] = Field(default="primavera", alias="temporada")
    price: float = Field(default=0, alias="precio")
    tags: list[str] = Field(default=[], alias="etiquetas", max_length=2)
    pair: tuple[str, ...] = Field(default=("a", "b"), alias="pareja", min_length=2, max_length=2)
    petals: list[Petal] = Field(default=[], alias="petalos")
    note: str = Field(default="", alias="nota")

    @field_validator("note")
    @classmethod
    def _no_shouting(cls, value: str) -> str:
        if value.isupper():
            raise ValueError("no escriba todo en mayúsculas")
        return value


SOURCE = "content/flores.yaml"


def problems_for(tmp_path: Path, text: str, *, entry: str | None = None) -> list[str]:
    path = tmp_path / "flores.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    document, problems = load_yaml(SourceFile(path, SOURCE))
    assert document is not None, problems
    value, found = validate(document.data, Flower, source=document.source, entry=entry)
    assert (value is None) == bool(found)
    return [str(problem) for problem in found]


class TestMessages:
    def test_a_valid_document_gives_the_model_and_no_problems(self, tmp_path: Path) -> None:
        """Nothing to report: the model comes back."""
        path = tmp_path / "flores.yaml"
        path.write_text(
            "id: rosa\nnombre: Rosa\npetalos:\n  - color: rojo\n    tamano: 3\n", encoding="utf-8"
        )
        document, _ = load_yaml(SourceFile(path, SOURCE))
        assert document is not None
        value, problems = validate(document.data, Flower, source=document.source)
        assert problems == []
        assert value is not None
        assert value.petals == [Petal(color=Color.ROJO, tamano=3)]

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("id: rosa\n", "línea 1: falta el campo «nombre»."),
            (
                "id: rosa\nnombre: Rosa\nnombr: X\n",
                "línea 3: campo desconocido «nombr» (¿quiso decir «nombre»?).",
            ),
            (
                "id: rosa\nnombre: Rosa\nperfume: X\n",
                "línea 3: campo desconocido «perfume»; aquí se admiten «id», «nombre», «fresca», «temporada»,"
                " «precio», «etiquetas», «pareja», «petalos» y «nota».",
            ),
            (
                "id: rosa\nnombre: Rosa\nfresca: quizá\n",
                "línea 3: «fresca» debe ser verdadero o falso (sí o no).",
            ),
            ("id: rosa\nnombre: Rosa\nfresca:\n", "línea 3: «fresca» está vacío; escriba sí o no."),
            (
                "id: rosa\nnombre: 1984\n",
                "línea 2: «nombre» debe ser un texto; si es un número, una fecha o un sí/no, escríbalo entre"
                " comillas.",
            ),
            ("id: rosa\nnombre:\n", "línea 2: «nombre» está vacío; escriba un texto."),
            ("id: rosa\nnombre: ''\n", "línea 2: «nombre» no puede estar vacío."),
            (
                "id: rosa\nnombre: Rosa de los vientos\n",
                "línea 2: «nombre» admite como máximo 10 caracteres (tiene 19).",
            ),
            ("id: rosa\nnombre: Rosa\nprecio: caro\n", "línea 3: «precio» debe ser un número."),
            (
                "id: rosa\nnombre: Rosa\ntemporada: veranos\n",
                "línea 3: «temporada» debe ser «primavera» o «verano» (¿quiso decir «verano»?).",
            ),
            (
                "id: rosa\nnombre: Rosa\netiquetas: roja\n",
                "línea 3: «etiquetas» debe ser una lista (cada elemento en su línea, empezando por «- », o"
                " entre"
                " corchetes: [a, b]).",
            ),
            (
                "id: rosa\nnombre: Rosa\netiquetas: [a, b, c]\n",
                "línea 3: «etiquetas» admite como máximo 2 elementos (tiene 3).",
            ),
            (
                "id: rosa\nnombre: Rosa\npareja: [a]\n",
                "línea 3: «pareja» debe tener exactamente 2 elementos (tiene 1).",
            ),
            (
                "id: rosa\nnombre: Rosa\netiquetas:\n  - a\n  - 7\n",
                "línea 5: el elemento n.º 2 de «etiquetas» debe ser un texto; si es un número, una fecha o un"
                " sí/no, escríbalo entre comillas.",
            ),
            (
                "id: rosa\nnombre: Rosa\npetalos:\n  - tamano: 3\n    color: rojo\n  - tamano: 2\n    color:"
                " verde\n",
                "línea 7: «color» debe ser «rojo» o «azul».",
            ),
            (
                "id: rosa\nnombre: Rosa\npetalos:\n  - color: rojo\n    tamano: tres\n",
                "línea 5: «tamano» debe ser un número entero.",
            ),
            (
                "id: rosa\nnombre: Rosa\npetalos:\n  - color: rojo\n    tamano: 30\n",
                "línea 5: «tamano» debe ser menor o igual que 10.",
            ),
            (
                "id: rosa\nnombre: Rosa\npetalos:\n  - color: rojo\n",
                "línea 4: falta el campo «tamano».",
            ),
            (
                "id: rosa\nnombre: Rosa\npetalos:\n  - rojo\n",
                "línea 4: el elemento n.º 1 de «petalos» debe ser un bloque de campos «nombre: valor», no el"
                " texto"
                " «rojo».",
            ),
            ("id: rosa\nnombre: Rosa\nnota: HOLA\n", "línea 3: «nota»: no escriba todo en mayúsculas."),
            (
                "- id: rosa\n",
                "línea 1: el contenido debe ser un bloque de campos «nombre: valor», no una lista.",
            ),
        ],
        ids=[
            "missing",
            "extra-suggested",
            "extra-listed",
            "bool",
            "bool-empty",
            "str",
            "str-empty",
            "too-short",
            "too-long",
            "float",
            "literal",
            "list",
            "list-too-long",
            "list-exact",
            "list-item",
            "enum-nested",
            "int",
            "bound",
            "missing-nested",
            "model-type",
            "value-error",
            "root",
        ],
    )
    def test_each_error_is_one_spanish_line_at_its_line(
        self, tmp_path: Path, text: str, expected: str
    ) -> None:
        """One line names the file and the line of the key or item at fault, and says what is wrong."""
        assert problems_for(tmp_path, text) == [f"{SOURCE}, {expected}"]

    def test_every_error_is_reported_not_just_the_first(self, tmp_path: Path) -> None:
        """Several mistakes in one block give one line each, in order, naming the entry."""
        problems = problems_for(tmp_path, "id: rosa\nnombre:\nfresca: quizá\nnotas: x\n", entry="flor «rosa»")
        assert problems == [
            f"{SOURCE}, línea 2 (flor «rosa»): «nombre» está vacío; escriba un texto.",
            f"{SOURCE}, línea 3 (flor «rosa»): «fresca» debe ser verdadero o falso (sí o no).",
            f"{SOURCE}, línea 4 (flor «rosa»): campo desconocido «notas» (¿quiso decir «nota»?).",
        ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "un valor vacío"),
        (True, "un sí/no"),
        (3, "el número 3"),
        (1.5, "el número 1.5"),
        ("hola", "el texto «hola»"),
        ("x" * 50, f"el texto «{'x' * 39}…»"),
        (date(2024, 1, 1), "una fecha"),
        ({"a": 1}, "un bloque de campos"),
        ([1], "una lista"),
        (object(), "un valor de otro tipo"),
    ],
)
def test_values_are_described_in_the_creators_words(value: object, expected: str) -> None:
    """Messages name what was found the way the creator sees it in her file."""
    assert describe(value) == expected
