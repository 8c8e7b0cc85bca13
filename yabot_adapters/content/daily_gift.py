"""The daily gift from YAML: the shipped file merged with the creator's ``content/regalo_diario.yaml``.

The streak is a list of one entry (``racha:``) so the creator's replaces the shipped one by the same rules
as every other content file; the surprises (``regalos:``) are keyed by id, and their items must be in the
items catalog.
"""

from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any, Final

from yabot_adapters.content.loading import load_merged
from yabot_adapters.content.merging import Entry, MergedContent, Section
from yabot_adapters.content.problems import ContentProblem
from yabot_core.daily_gift import DailyGiftContent, StreakRule, SurpriseGift, check_daily_gift, gift_label
from yabot_core.inventory import ItemCatalog

DAILY_GIFT_FILE: Final = "regalo_diario.yaml"
"""The creator's daily gift file, inside her content folder."""

_OTHER_SPELLING: Final = "regalo_diario.yml"
_STREAK: Final = "racha"
_GIFTS: Final = "regalos"


def _gift_key(raw: Mapping[str, Any]) -> Hashable | None:
    value = raw.get("id")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _gift_label(raw: Mapping[str, Any]) -> str | None:
    key = _gift_key(raw)
    return None if key is None else gift_label(str(key))


DAILY_GIFT_SECTIONS: Final = (
    Section(
        name=_STREAK,
        noun="racha",
        feminine=True,
        key_fields=(),
        key=lambda _raw: _STREAK,  # one streak: the creator's replaces the shipped one
        label=lambda _raw: "la racha",
    ),
    Section(
        name=_GIFTS, noun="sorpresa", feminine=True, key_fields=("id",), key=_gift_key, label=_gift_label
    ),
)
"""A daily gift file has the streak (one entry) and the surprises, keyed by id."""


def load_daily_gift_content(
    shipped: Path, creator_dir: Path | None, catalog: ItemCatalog
) -> DailyGiftContent:
    """Load the shipped daily gift, apply the creator's ``regalo_diario.yaml`` over it, check it all.

    Surprise items are checked against ``catalog`` (the mochila's, creator's items included).

    Raises:
        ContentError: with every problem found, in every file, at once.
    """
    return load_merged(
        shipped,
        creator_dir,
        names=(DAILY_GIFT_FILE, _OTHER_SPELLING),
        kind="regalo_diario",
        sections=DAILY_GIFT_SECTIONS,
        check=lambda merged, problems: _checked(merged, problems, catalog, shipped),
    )


def _checked(
    merged: MergedContent, problems: list[ContentProblem], catalog: ItemCatalog, shipped: Path
) -> DailyGiftContent | None:
    """Validate the streak and every surprise, then the rules across them; ``None`` when anything is wrong."""
    streaks = merged.section(_STREAK)
    streak: StreakRule | None = None
    if not streaks:
        message = "falta «racha:» (base, incremento y tope de besitos de cada día seguido)."
        problems.append(ContentProblem(str(shipped), None, None, message))
    for entry in streaks[-1:]:
        streak, found = entry.validate(StreakRule)
        problems.extend(found)
    gifts: list[tuple[SurpriseGift, Entry]] = []
    for entry in merged.section(_GIFTS):
        gift, found = entry.validate(SurpriseGift)
        problems.extend(found)
        if gift is not None:
            gifts.append((gift, entry))
    if streak is None:
        return None
    for problem in check_daily_gift(streak, [gift for gift, _ in gifts], catalog):
        entry = streaks[-1] if problem.index is None else gifts[problem.index][1]
        problems.append(entry.problem(problem.message, loc=problem.loc))
    if problems:
        return None
    return DailyGiftContent(streak, tuple(gift for gift, _ in gifts))
