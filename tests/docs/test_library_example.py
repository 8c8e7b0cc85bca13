"""docs/library.md stays true: its example runs and prints what the page says."""

import re
import subprocess
import sys
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "library.md"


def test_the_library_example_prints_what_the_page_shows() -> None:
    """Run the page's Python block in a fresh interpreter and compare with the page's output block."""
    text = PAGE.read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    shown = re.search(r"It prints:\n\n```\n(.*?)```", text, re.DOTALL)
    assert code is not None
    assert shown is not None
    result = subprocess.run([sys.executable, "-c", code.group(1)], capture_output=True, text=True, check=True)
    assert result.stdout == shown.group(1)
