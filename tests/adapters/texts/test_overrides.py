"""The creator's overrides: sound ones replace shipped texts; unsound ones are reported with file and line."""

import random
from pathlib import Path

import pytest

from tests.adapters.texts.conftest import write
from yabot_adapters.texts import Catalog, TextProblem, load_catalog


def _load(shipped: list[Path], content: Path) -> tuple[Catalog, list[str]]:
    catalog, problems = load_catalog(shipped, content, rng=random.Random(0))
    return catalog, [str(problem) for problem in problems]


def _farewell(catalog: Catalog) -> str:
    return catalog.render("despedida")


class TestApplied:
    def test_override_replaces_shipped_text(self, shipped: list[Path], content: Path) -> None:
        """A message in content/ replaces the shipped one, with the same variables and plurals."""
        write(
            content / "textos" / "saldo.ftl",
            """\
            saldo-resumen = { $nombre }, en su cofre { $count ->
                    [one] descansa { $count } besito
                   *[other] descansan { $count } besitos
                }.
            """,
        )
        catalog, problems = _load(shipped, content)
        assert problems == []
        assert catalog.render("saldo-resumen", nombre="Ana", count=1) == "Ana, en su cofre descansa 1 besito."
        assert catalog.render("saldo-resumen", nombre="Ana", count=12500) == (
            "Ana, en su cofre descansan 12.500 besitos."
        )

    def test_terms_may_be_added_and_replaced(self, shipped: list[Path], content: Path) -> None:
        """The creator defines her own terms and replaces shipped ones, in any file."""
        write(content / "a.ftl", "firma = Atentamente, { -mayordomo }.\n")
        write(content / "b.ftl", "-mayordomo = Lucien\n-casa = la mansión\n")
        catalog, problems = _load(shipped, content)
        assert problems == []
        assert catalog.render("firma") == "Atentamente, Lucien."
        greetings = {catalog.render("saludo", nombre="Ana") for _ in range(50)}
        assert "Bienvenido a la mansión, <b>Ana</b>." in greetings

    def test_good_and_broken_in_one_file(self, shipped: list[Path], content: Path) -> None:
        """A file with a broken message and a sound one: the sound one applies, the broken one is named."""
        write(
            content / "textos" / "saldo.ftl",
            """\
            # Textos del saldo
            saldo-resumen = { $nombre }, tiene { $count
            firma = Con afecto, Lucien.
            """,
        )
        catalog, problems = _load(shipped, content)
        assert problems == [
            "content/textos/saldo.ftl, línea 2: «saldo-resumen»: no se entiende: falta «}»; "
            "se usa el texto original."
        ]
        assert catalog.render("firma") == "Con afecto, Lucien."
        assert catalog.render("saldo-resumen", nombre="Ana", count=2) == "Ana, guarda usted 2 besitos."

    def test_telegram_html_is_accepted(self, shipped: list[Path], content: Path) -> None:
        """Telegram's tags, links and entities pass the HTML check untouched."""
        text = '<b>Lucien</b> &amp; <a href="https://t.me/x?a=1&amp;b=2">Diana</a> &lt;3 &#128139;'
        write(content / "a.ftl", f"firma = {text}\n")
        catalog, problems = _load(shipped, content)
        assert problems == []
        assert catalog.render("firma") == text

    def test_missing_folder_means_no_overrides(self, shipped: list[Path], tmp_path: Path) -> None:
        """Without a content/ folder every text is the shipped one, and nothing is reported."""
        catalog, problems = load_catalog(shipped, tmp_path / "no-existe")
        assert problems == []
        assert _farewell(catalog) == "Hasta pronto. Su seguro servidor, Lucien."


class TestReported:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            pytest.param(
                "saldo-resumen = { $nombre_completo } tiene { $count }.\n",
                "línea 1: «saldo-resumen» usa la variable $nombre_completo, que este mensaje no recibe",
                id="variable-in-value",
            ),
            pytest.param(
                """\
                saldo-resumen = { $count ->
                        [one] Un besito
                       *[other] { $apodo } tiene muchos
                    }
                """,
                "línea 3: «saldo-resumen» usa la variable $apodo, que este mensaje no recibe",
                id="variable-in-variant",
            ),
            pytest.param(
                """\
                saldo-resumen = { $genero ->
                       *[f] { $nombre }, { $count }
                    }
                """,
                "línea 1: «saldo-resumen» usa la variable $genero, que este mensaje no recibe",
                id="variable-as-selector",
            ),
            pytest.param(
                """\
                saludo = Hola, { $nombre }.
                    .variante-2 = Hola, { NUMBER($edad) }.
                """,
                "línea 2: «saludo» usa la variable $edad, que este mensaje no recibe",
                id="variable-in-attribute-and-function",
            ),
            pytest.param(
                "firma = { saludo }\n",
                "línea 1: «firma» incluye «saludo», que usa la variable $nombre, que este mensaje no recibe",
                id="included-message-needs-more",
            ),
            pytest.param(
                "\n\ndespedida = Adiós. { firmita }\n",
                "línea 3: «despedida» incluye el mensaje «firmita», que no existe",
                id="unknown-message",
            ),
            pytest.param(
                "despedida = { firma.variante-2 }\n",
                "línea 1: «despedida» incluye el mensaje «firma.variante-2», que no existe",
                id="unknown-attribute",
            ),
            pytest.param(
                "firma = Desde { -mansion }\n",
                "línea 1: «firma» usa el término «-mansion», que no existe",
                id="unknown-term",
            ),
            pytest.param(
                'firma = { UPPER("lucien") }\n',
                "línea 1: «firma» usa la función UPPER(), que no existe (hay NUMBER)",
                id="unknown-function",
            ),
            pytest.param(
                "firma = { despedida }\n",
                "línea 1: «firma» se incluye a sí mismo, directa o indirectamente",
                id="cycle",
            ),
            pytest.param(
                "firma = Lucien <3\n",
                "línea 1: «firma» no es HTML que Telegram acepte: hay un «<» suelto (para que se vea, "
                "escriba &lt;)",
                id="bare-less-than",
            ),
            pytest.param(
                "firma = Lucien\n    .variante-2 = Diana & Lucien\n",
                "línea 2: «firma» no es HTML que Telegram acepte: hay un «&» suelto (para que se vea, "
                "escriba &amp;)",
                id="bare-ampersand-in-variant",
            ),
            pytest.param(
                "firma = <b>Lucien\n",
                "línea 1: «firma» no es HTML que Telegram acepte: falta cerrar <b> con </b>",
                id="unclosed-tag",
            ),
            pytest.param(
                "firma = <b><i>Lucien</b></i>\n",
                "línea 1: «firma» no es HTML que Telegram acepte: </b> cierra una etiqueta que no está "
                "abierta justo antes",
                id="crossed-tags",
            ),
            pytest.param(
                "firma = <blink>Lucien</blink>\n",
                "línea 1: «firma» no es HTML que Telegram acepte: Telegram no admite la etiqueta <blink>",
                id="unknown-tag",
            ),
            pytest.param(
                "firma = Lucien\n    .variante-guiño = Lucien, guiñando\n",
                "línea 2: «firma»: no se entiende: falta «=» tras el nombre (un nombre solo lleva letras "
                "sin tildes ni eñes, números, - y _)",
                id="accented-name",
            ),
        ],
    )
    def test_unsound_override_keeps_shipped_text(
        self, shipped: list[Path], content: Path, text: str, expected: str
    ) -> None:
        """Each kind of unsound override is reported at its line, and the shipped text stays."""
        write(content / "textos" / "lucien.ftl", text)
        catalog, problems = _load(shipped, content)
        assert problems == [f"content/textos/lucien.ftl, {expected}; se usa el texto original."]
        assert catalog.render("saldo-resumen", nombre="Ana", count=2) == "Ana, guarda usted 2 besitos."
        assert catalog.render("firma") == "Su seguro servidor, Lucien."
        assert _farewell(catalog) == "Hasta pronto. Su seguro servidor, Lucien."

    def test_unknown_id(self, shipped: list[Path], content: Path) -> None:
        """A message YABOT does not have is reported with the closest name, and ignored."""
        write(content / "saldo.ftl", "# mío\nsaldo-resumn = Hola\n")
        catalog, problems = _load(shipped, content)
        assert problems == [
            "content/saldo.ftl, línea 2: «saldo-resumn» no es el nombre de ningún texto de YABOT "
            "(¿quería decir «saldo-resumen»?); se ignora."
        ]
        assert "saldo-resumn" not in catalog.ids()

    def test_stray_text_is_ignored(self, shipped: list[Path], content: Path) -> None:
        """A line that starts no message is reported and ignored; the messages around it apply."""
        write(content / "a.ftl", "firma = Lucien\n¡Hola!\ndespedida = Adiós\n")
        catalog, problems = _load(shipped, content)
        assert problems == [
            "content/a.ftl, línea 2: no se entiende: aquí debería empezar un mensaje (nombre = texto); si es "
            "la continuación del texto anterior, deje espacios al principio de la línea; se ignora esa parte."
        ]
        assert _farewell(catalog) == "Adiós"

    def test_defined_twice_last_wins(self, shipped: list[Path], content: Path) -> None:
        """A message defined in two files: the later file (sorted by path) wins, with a warning."""
        write(content / "a.ftl", "firma = Primera\n")
        write(content / "b" / "c.ftl", "\nfirma = Segunda\n")
        catalog, problems = load_catalog(shipped, content)
        assert problems == [
            TextProblem(
                "content/b/c.ftl",
                2,
                "«firma» ya estaba en content/a.ftl, línea 1; vale esta versión, la última.",
                warning=True,
            )
        ]
        assert catalog.render("firma") == "Segunda"

    def test_stray_attribute_is_a_warning(self, shipped: list[Path], content: Path) -> None:
        """An attribute that is no variant is reported as a warning; the message applies without it."""
        write(content / "a.ftl", "firma = Lucien\n    .corta = L.\n")
        catalog, problems = load_catalog(shipped, content)
        assert problems == [
            TextProblem(
                "content/a.ftl",
                2,
                "«firma» tiene el atributo .corta, que no es una variante (su nombre debe empezar por "
                "«variante»); no se usará.",
                warning=True,
            )
        ]
        assert {catalog.render("firma") for _ in range(20)} == {"Lucien"}

    def test_term_that_breaks_a_shipped_text(self, shipped: list[Path], content: Path) -> None:
        """A replaced term that makes a shipped text unformattable is reported, and the shipped term stays."""
        write(content / "a.ftl", "-casa = { -casa }\n")
        catalog, problems = _load(shipped, content)
        assert problems == [
            "content/a.ftl, línea 1: «-casa» se incluye a sí mismo, directa o indirectamente; "
            "se usa el texto original."
        ]
        assert catalog.render("saludo", nombre="Ana") in {
            "Bienvenido a la casa de Diana, <b>Ana</b>.",
            "Le esperábamos, <b>Ana</b>.",
            "Qué alegría verle, <b>Ana</b>.",
        }

    def test_term_with_bad_html(self, shipped: list[Path], content: Path) -> None:
        """A replaced term that makes a shipped text unsendable is named with the text it breaks."""
        write(content / "a.ftl", "\n-casa = la casa & el jardín\n")
        catalog, problems = _load(shipped, content)
        assert problems == [
            "content/a.ftl, línea 2: con «-casa», «saludo» no es HTML que Telegram acepte: hay un «&» "
            "suelto (para que se vea, escriba &amp;); se usa el texto original."
        ]
        assert "Bienvenido a la casa de Diana, <b>Ana</b>." in {
            catalog.render("saludo", nombre="Ana") for _ in range(50)
        }

    def test_chain_of_broken_terms(self, shipped: list[Path], content: Path) -> None:
        """A term resting on a broken term goes too, and so does the message using it."""
        write(content / "a.ftl", "-a = { -b }\nfirma = { -a }\n")
        catalog, problems = _load(shipped, content)
        assert problems == [
            "content/a.ftl, línea 1: «-a» usa el término «-b», que no existe; se ignora.",
            "content/a.ftl, línea 2: «firma» usa el término «-a», que no existe; se usa el texto original.",
        ]
        assert catalog.render("firma") == "Su seguro servidor, Lucien."

    def test_unreadable_file(self, shipped: list[Path], content: Path) -> None:
        """A file not saved as UTF-8 is reported as a whole and skipped."""
        (content / "latin1.ftl").write_bytes("firma = Señor\n".encode("latin-1"))
        write(content / "z.ftl", "despedida = Adiós\n")
        catalog, problems = _load(shipped, content)
        assert problems == [
            "content/latin1.ftl: no está guardado como texto UTF-8; se usan los textos originales."
        ]
        assert _farewell(catalog) == "Adiós"

    def test_content_is_a_file(self, shipped: list[Path], tmp_path: Path) -> None:
        """A content path that is a file is reported; every text is the shipped one."""
        (tmp_path / "content").write_text("firma = x\n", encoding="utf-8")
        catalog, problems = _load(shipped, tmp_path / "content")
        assert problems == ["content: no es una carpeta; se usan los textos originales."]
        assert catalog.render("firma") == "Su seguro servidor, Lucien."
