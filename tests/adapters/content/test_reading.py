"""Reading content files: every way a file can be unreadable becomes one Spanish line with file and line."""

from pathlib import Path

import pytest
from ruamel.yaml.comments import CommentedMap

from yabot_adapters.content import SourceFile, line_of, load_yaml, plain


def read(tmp_path: Path, text: str | bytes) -> tuple[object, list[str]]:
    path = tmp_path / "objetos.yaml"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    document, problems = load_yaml(SourceFile(path, "content/objetos.yaml"))
    return (None if document is None else document.data), [str(problem) for problem in problems]


class TestSyntax:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (
                "objetos:\n\t- id: x\n",
                "content/objetos.yaml, línea 2: hay un tabulador: la sangría se hace solo con espacios.",
            ),
            (
                "objetos:\n  - id: x\n    nombre: Llave: dorada\n",
                "content/objetos.yaml, línea 3: hay «:» donde no se esperaba: si un texto lleva «: »,"
                " escríbalo entre comillas; si no, revise la sangría.",
            ),
            (
                'objetos:\n  - id: x\n    nombre: "Llave\n    descripcion: y\n',
                "content/objetos.yaml, línea 3: unas comillas se abren aquí y no se cierran.",
            ),
            (
                "objetos:\n  - id: x\n    nombre: y\n   descripcion: z\n",
                "content/objetos.yaml, línea 4: la sangría no cuadra con la de las líneas anteriores;"
                " alinee este campo con sus hermanos.",
            ),
            (
                "objetos:\n  - id: x\n    nombre\n    descripcion: z\n",
                "content/objetos.yaml, línea 3: falta «:» después del nombre de un campo, o la línea tiene la"
                " sangría descolocada.",
            ),
            (
                "recetas:\n  - ingredientes: [a, b\n    resultado: c\n",
                "content/objetos.yaml, línea 2: una lista entre corchetes «[» no se cierra con «]», o le"
                " falta"
                " una coma entre elementos.",
            ),
            (
                "objetos: {a: 1\nrecetas: []\n",
                "content/objetos.yaml, línea 1: un bloque entre llaves «{» no se cierra con «}», o le falta"
                " una"
                " coma entre campos.",
            ),
            (
                "objetos:\n  - id: @x\n",
                "content/objetos.yaml, línea 2: un valor no puede empezar por «@»; escriba el texto entre"
                " comillas.",
            ),
            (
                "objetos: *lista\n",
                "content/objetos.yaml, línea 1: «*lista» se refiere a un ancla «&lista» que no existe.",
            ),
            (
                "objetos: []\n---\nrecetas: []\n",
                "content/objetos.yaml, línea 2: el archivo contiene más de un documento (separados por"
                " «---»);"
                " debe haber uno solo.",
            ),
            (
                "objetos:\n  - id: x\x07\n",
                "content/objetos.yaml, línea 2: hay un carácter invisible no permitido (U+0007); bórrelo.",
            ),
        ],
        ids=[
            "tab",
            "colon",
            "quote",
            "indent",
            "no-colon",
            "bracket",
            "brace",
            "at",
            "alias",
            "two",
            "control",
        ],
    )
    def test_a_syntax_error_is_one_spanish_line_at_its_line(
        self, tmp_path: Path, text: str, expected: str
    ) -> None:
        """A YAML syntax error names the file and the line to look at, in Spanish, and yields no document."""
        data, problems = read(tmp_path, text)
        assert data is None
        assert problems == [expected]

    def test_an_unrecognised_syntax_error_still_gets_a_spanish_line(self, tmp_path: Path) -> None:
        """Errors without a specific translation get a general Spanish hint at their line."""
        _, problems = read(tmp_path, "objetos:\n  - id: &\n")
        assert problems == [
            "content/objetos.yaml, línea 2: el texto no se puede leer como YAML en este punto; revise la"
            " sangría, los dos puntos y las comillas de esta línea y de la anterior."
        ]


class TestDuplicates:
    def test_every_duplicate_key_is_reported_and_the_first_value_kept(self, tmp_path: Path) -> None:
        """Keys written twice in one block are problems, each at its second line naming the first."""
        data, problems = read(
            tmp_path, "objetos:\n  - id: x\n    nombre: a\n    nombre: b\n    descripcion: c\nobjetos: []\n"
        )
        assert problems == [
            "content/objetos.yaml, línea 4: «nombre» está escrito dos veces en el mismo bloque (la primera"
            " vez,"
            " en la línea 3); deje solo uno.",
            "content/objetos.yaml, línea 6: «objetos» está escrito dos veces en el mismo bloque (la primera"
            " vez,"
            " en la línea 1); deje solo uno.",
        ]
        assert plain(data) == {"objetos": [{"id": "x", "nombre": "a", "descripcion": "c"}]}

    def test_the_same_key_in_different_blocks_is_fine(self, tmp_path: Path) -> None:
        """Two entries each with an ``id`` are not duplicate keys."""
        _, problems = read(tmp_path, "objetos:\n  - id: a\n  - id: b\n")
        assert problems == []


class TestFiles:
    def test_an_empty_file_is_a_problem(self, tmp_path: Path) -> None:
        """A file with nothing but comments and blank lines says it is empty."""
        data, problems = read(tmp_path, "# nada todavía\n\n")
        assert data is None
        assert problems == ["content/objetos.yaml: el archivo está vacío: escriba su contenido o bórrelo."]

    def test_a_file_not_in_utf8_is_a_problem_at_the_first_bad_byte(self, tmp_path: Path) -> None:
        """Latin-1 text is refused with the line of the first byte that is not UTF-8."""
        _, problems = read(tmp_path, "objetos:\n  - id: x\n    nombre: Cañón\n".encode("latin-1"))
        assert problems == [
            "content/objetos.yaml, línea 3: el archivo no está guardado como texto UTF-8; vuelva a guardarlo"
            " con la codificación UTF-8."
        ]

    def test_a_byte_order_mark_is_accepted(self, tmp_path: Path) -> None:
        """Editors on Windows save UTF-8 with a BOM; it is not part of the content."""
        data, problems = read(tmp_path, "\ufeffobjetos: []\n".encode())
        assert problems == []
        assert plain(data) == {"objetos": []}

    def test_a_missing_file_and_a_folder_are_problems(self, tmp_path: Path) -> None:
        """A file that is not there, or is a folder, is a Spanish problem, not an exception."""
        missing = load_yaml(SourceFile(tmp_path / "no.yaml", "content/no.yaml"))
        folder = load_yaml(SourceFile(tmp_path, "content"))
        assert [str(p) for p in missing[1]] == ["content/no.yaml: el archivo no existe."]
        assert [str(p) for p in folder[1]] == ["content: es una carpeta, no un archivo."]


class TestLines:
    def test_a_path_finds_the_line_of_its_deepest_key_or_item(self, tmp_path: Path) -> None:
        """``line_of`` walks keys and list positions; a part it cannot find keeps the last line found."""
        data, _ = read(
            tmp_path, "objetos:\n  - id: a\n  - id: b\n    nombre: B\n    lista:\n      - x\n      - y\n"
        )
        assert isinstance(data, CommentedMap)
        assert line_of(data, ()) == 1
        assert line_of(data, ("objetos", 1)) == 3
        assert line_of(data, ("objetos", 1, "nombre")) == 4
        assert line_of(data, ("objetos", 1, "lista", 1)) == 7
        assert line_of(data, ("objetos", 1, "falta")) == 3
        assert line_of(data, ("objetos", 9)) == 1
        assert line_of("escalar", ("x",), 5) == 5

    def test_a_key_written_with_accents_is_found_by_its_plain_spelling(self, tmp_path: Path) -> None:
        """Models name ``descripcion``; the file may say ``descripción``."""
        data, _ = read(tmp_path, "id: a\ndescripción: 3\n")
        assert line_of(data, ("descripcion",)) == 2

    def test_plain_values_lose_ruamels_wrappers(self, tmp_path: Path) -> None:
        """Round-trip scalars (hex ints, folded strings) become plain Python values."""
        data, _ = read(tmp_path, "a: 0x10\nb: >\n  hola\nc: 1.5\nd: [sí, true]\n")
        values = plain(data)
        assert values == {"a": 16, "b": "hola\n", "c": 1.5, "d": ["sí", True]}
        assert [type(v) for v in values.values()] == [int, str, float, list]
