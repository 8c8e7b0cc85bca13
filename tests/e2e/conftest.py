"""The journeys' whole-test guard: long enough that a heavily loaded machine cannot fail them.

Each journey starts real processes, several in a row, each allowed ``process.HANG_GUARD`` seconds to come up;
on a machine running fifty processes per core a journey that takes 20 s alone took over two minutes. The
suite's default guard (``timeout`` in pyproject, 120 s) is for in-process tests; a journey gets
:data:`JOURNEY_GUARD` unless it sets its own.
"""

from typing import Final

import pytest

JOURNEY_GUARD: Final = 600


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every journey without its own ``timeout`` mark the journey guard."""
    for item in items:
        if item.path.parent.name == "e2e" and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(JOURNEY_GUARD))
