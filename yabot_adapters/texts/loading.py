"""Loading the catalog: shipped texts must be right; the creator's overrides are checked and reported."""

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from fluent.syntax import ast as ftl

from yabot_adapters.texts.catalog import Catalog, SpanishBundle, SpanishInt, variants
from yabot_adapters.texts.rules import (
    KEPT,
    Finding,
    Known,
    check_entry,
    check_override,
    in_cycles,
    message_variables,
    reachable,
    references,
)
from yabot_adapters.texts.syntax import Entry, Source, parse
from yabot_adapters.texts.telegram_html import html_problem


@dataclass(frozen=True, slots=True)
class TextProblem:
    """Something wrong in a text file, said in Spanish for the creator, with the file and line to look at.

    ``file`` is shown as the creator knows it (``content/textos/saldo.ftl``); ``line`` is 1-based, or
    ``None`` when the whole file is concerned. A warning changes nothing the creator did not intend.
    """

    file: str
    line: int | None
    message: str
    warning: bool = False

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}, línea {self.line}"
        return f"{where}: {self.message}"


class ShippedTextsError(Exception):
    """The texts shipped with YABOT are broken: a programming error, raised at start-up and by the tests."""

    def __init__(self, problems: Sequence[TextProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True, slots=True)
class _Shipped:
    entries: dict[str, Entry]
    variables: dict[str, frozenset[str]]
    known: Known
    bundle: SpanishBundle


def load_catalog(
    shipped: Sequence[Path], overrides: Path | None = None, *, rng: random.Random | None = None
) -> tuple[Catalog, list[TextProblem]]:
    """The catalog of the shipped ``.ftl`` files, with the creator's overrides that are sound.

    ``overrides`` is the creator's ``content/`` folder: every ``*.ftl`` under it, in sorted order, may
    replace shipped messages (or add variants), and define or replace terms. An override that cannot be
    used is left out and reported, so the shipped text stays; a folder that does not exist means none.

    Raises:
        ShippedTextsError: a shipped file does not parse, or a shipped text refers to what does not exist
            or cannot be formatted.
        OSError: a shipped file cannot be read.
    """
    base = _load_shipped(shipped)
    problems: list[TextProblem] = []
    candidates = _read_overrides(overrides, problems)
    accepted = _checked(candidates, base, problems)
    bundle = _settled(accepted, base, problems)
    problems.sort(key=lambda problem: (problem.file, problem.line or 0))
    catalog = Catalog(bundle, base.bundle, base.variables, rng or random.Random())  # noqa: S311 - variety, not secrecy
    return catalog, problems


def _load_shipped(paths: Sequence[Path]) -> _Shipped:
    entries: dict[str, Entry] = {}
    problems: list[TextProblem] = []
    for path in paths:
        source = Source(str(path), path.read_text(encoding="utf-8"))
        found, syntax = parse(source)
        problems += [TextProblem(source.shown_as, p.line, f"{p.message}.") for p in syntax]
        for entry in found:
            if (earlier := entries.get(entry.key)) is not None:
                finding = Finding(entry.line, f"«{entry.key}» ya está en {_at(earlier)}")
                problems.append(_problem(entry, finding, shipped=True))
            else:
                entries[entry.key] = entry
    known = Known(references(_messages(entries)), references(_terms(entries)))
    for entry in entries.values():
        findings = check_entry(entry, known, shipped_attributes_only=True)
        problems += [_problem(entry, finding, shipped=True) for finding in findings]
    problems += [
        _problem(entries[key], _cycle(entries[key]), shipped=True) for key in sorted(in_cycles(entries))
    ]
    if problems:
        raise ShippedTextsError(problems)
    variables = message_variables(_messages(entries))
    bundle = _bundle(entries.values())
    for key in _messages(entries):
        if failed := _trial(bundle, key, variables[key]):
            variant, reason = failed
            finding = Finding(entries[key].line_of(variant), f"«{key}» {reason}")
            problems.append(_problem(entries[key], finding, shipped=True))
    if problems:
        raise ShippedTextsError(problems)
    return _Shipped(entries, variables, known, bundle)


def _read_overrides(folder: Path | None, problems: list[TextProblem]) -> list[Entry]:
    if folder is None or not folder.exists():
        return []
    if not folder.is_dir():
        problems.append(TextProblem(folder.name, None, "no es una carpeta; se usan los textos originales."))
        return []
    entries: list[Entry] = []
    for path in sorted(folder.rglob("*.ftl")):
        shown = str(PurePosixPath(folder.name, *path.relative_to(folder).parts))
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            problems.append(
                TextProblem(shown, None, "no está guardado como texto UTF-8; se usan los textos originales.")
            )
            continue
        except OSError as exc:
            problems.append(
                TextProblem(shown, None, f"no se puede leer ({exc.strerror}); se usan los textos originales.")
            )
            continue
        found, syntax = parse(Source(shown, text))
        entries += found
        for problem in syntax:
            ending = KEPT if problem.message.startswith("«") else "se ignora esa parte"
            problems.append(TextProblem(shown, problem.line, f"{problem.message}; {ending}."))
    return entries


def _checked(candidates: list[Entry], base: _Shipped, problems: list[TextProblem]) -> list[Entry]:
    """The overrides without errors, one per key (the last one, the others warned about), in file order."""
    overriding = {id(entry): list(check_override(entry, base.variables)) for entry in candidates}
    rejected = {key for key, findings in overriding.items() if findings}
    while True:  # a term may rely on another override's term: leave out until what is left holds together
        alive = [entry for entry in candidates if id(entry) not in rejected]
        known = Known(base.known.messages | references(alive), base.known.terms | references(alive))
        failing = {
            id(entry)
            for entry in alive
            if any(not f.warning for f in check_entry(entry, known, shipped_attributes_only=False))
        }
        if not failing:
            break
        rejected |= failing
    accepted: dict[str, Entry] = {}
    for entry in candidates:
        findings = overriding[id(entry)] + list(check_entry(entry, known, shipped_attributes_only=False))
        problems += [_problem(entry, finding, original=entry.key in base.entries) for finding in findings]
        if id(entry) in rejected:
            continue
        if (earlier := accepted.get(entry.key)) is not None:
            reason = f"«{entry.key}» ya estaba en {_at(earlier)}"
            finding = Finding(entry.line, reason, "vale esta versión, la última", warning=True)
            problems.append(_problem(entry, finding, original=True))
        accepted[entry.key] = entry
    return list(accepted.values())


def _settled(accepted: list[Entry], base: _Shipped, problems: list[TextProblem]) -> SpanishBundle:
    """The bundle with the overrides under which every message formats; the others go, with a reason."""
    overrides = {entry.key: entry for entry in accepted}
    while overrides:
        effective = base.entries | overrides
        blamed = {key: _cycle(overrides[key]) for key in sorted(in_cycles(effective) & overrides.keys())}
        if not blamed:
            bundle = _bundle(effective.values())
            for key in _messages(base.entries):
                if not (failed := _trial(bundle, key, base.variables[key])):
                    continue
                variant, reason = failed
                if key in overrides:
                    blamed[key] = Finding(overrides[key].line_of(variant), f"«{key}» {reason}")
                    continue
                for culprit in sorted(reachable(key, effective) & overrides.keys()):
                    said = f"con «{culprit}», «{key}» {reason}"
                    blamed.setdefault(culprit, Finding(overrides[culprit].line, said))
            if not blamed:
                return bundle
        for culprit, finding in blamed.items():
            problems.append(_problem(overrides.pop(culprit), finding, original=culprit in base.entries))
    return base.bundle


def _trial(bundle: SpanishBundle, key: str, variables: frozenset[str]) -> tuple[str | None, str] | None:
    """The variant that cannot be sent and why (each formatted with every variable set to 1), or ``None``."""
    args: dict[str, object] = {name: SpanishInt(1) for name in variables}
    for variant, pattern in variants(bundle, key):
        text, errors = bundle.format_pattern(pattern, args)
        if errors or not isinstance(text, str):
            return variant, "no se puede componer: " + "; ".join(str(error) for error in errors)
        if (problem := html_problem(text)) is not None:
            return variant, f"no es HTML que Telegram acepte: {problem}"
    return None


def _cycle(entry: Entry) -> Finding:
    return Finding(entry.line, f"«{entry.key}» se incluye a sí mismo, directa o indirectamente")


def _bundle(entries: Iterable[Entry]) -> SpanishBundle:
    bundle = SpanishBundle()
    bundle.add_resource(ftl.Resource([entry.node for entry in entries]), allow_overrides=True)
    return bundle


def _messages(entries: Mapping[str, Entry]) -> dict[str, Entry]:
    return {key: entry for key, entry in entries.items() if not key.startswith("-")}


def _terms(entries: Mapping[str, Entry]) -> dict[str, Entry]:
    return {key: entry for key, entry in entries.items() if key.startswith("-")}


def _at(entry: Entry) -> str:
    return f"{entry.source.shown_as}, línea {entry.line}"


def _problem(entry: Entry, finding: Finding, *, shipped: bool = False, original: bool = True) -> TextProblem:
    """The problem as the creator reads it; a new term has no original text to fall back on."""
    outcome = finding.outcome if original or finding.outcome != KEPT else "se ignora"
    message = finding.reason if shipped else f"{finding.reason}; {outcome}"
    return TextProblem(entry.source.shown_as, finding.line, f"{message}.", warning=finding.warning)
