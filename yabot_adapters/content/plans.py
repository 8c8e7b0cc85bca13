"""The VIP plans from YAML: the shipped file merged with the creator's ``content/planes.yaml``."""

from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any, Final

from yabot_adapters.content.loading import load_merged
from yabot_adapters.content.merging import MergedContent, Section
from yabot_adapters.content.problems import ContentProblem
from yabot_core.subscriptions import Plan, PlanCatalog, check_plans, plan_label

PLANS_FILE: Final = "planes.yaml"
"""The creator's plans file, inside her content folder."""

_OTHER_SPELLING: Final = "planes.yml"
_SECTION: Final = "planes"


def _plan_key(raw: Mapping[str, Any]) -> Hashable | None:
    value = raw.get("id")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _plan_label(raw: Mapping[str, Any]) -> str | None:
    key = _plan_key(raw)
    return None if key is None else plan_label(str(key))


PLAN_SECTIONS: Final = (
    Section(name=_SECTION, noun="plan", feminine=False, key_fields=("id",), key=_plan_key, label=_plan_label),
)
"""A plans file has one list, ``planes:``, its entries keyed by id."""


def load_plan_catalog(shipped: Path, creator_dir: Path | None) -> PlanCatalog:
    """Load the shipped plans, apply the creator's ``planes.yaml`` over them if she has one, check it all.

    ``creator_dir`` is her content folder (``YABOT_DATA_DIR/content``); ``None`` or a missing folder means no
    overrides. The rules of merging are those of every content file (docs/content.md): an entry with a
    shipped id replaces it, a new id is added, ``quitar: sí`` removes.

    Raises:
        ContentError: with every problem found, in every file, at once.
    """
    return load_merged(
        shipped,
        creator_dir,
        names=(PLANS_FILE, _OTHER_SPELLING),
        kind="planes",
        sections=PLAN_SECTIONS,
        check=_checked_catalog,
    )


def _checked_catalog(merged: MergedContent, problems: list[ContentProblem]) -> PlanCatalog | None:
    """Validate every entry, then the catalog's rules; ``None`` (and problems) when anything is wrong."""
    plans: list[Plan] = []
    entries = []
    for entry in merged.section(_SECTION):
        plan, found = entry.validate(Plan)
        problems.extend(found)
        if plan is not None:
            plans.append(plan)
            entries.append(entry)
    problems.extend(entries[p.index].problem(p.message, loc=p.loc) for p in check_plans(plans))
    if problems:
        return None
    return PlanCatalog(tuple(plans))
