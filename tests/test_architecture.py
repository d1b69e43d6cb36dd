"""The matcher stays a pure engine: it imports nothing from the web stack."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {"flask", "sqlalchemy", "marshmallow", "whoosh", "yaml", "directory", "werkzeug"}


def test_matcher_imports_nothing_from_the_web_stack():
    code = "import sys, matcher; print(*sorted({m.split('.')[0] for m in sys.modules}))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert not FORBIDDEN & set(out.stdout.split())


def test_no_matcher_module_mentions_the_web_stack_in_an_import():
    for path in (ROOT / "matcher").rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            words = line.strip().replace(",", " ").split()
            if words[:1] in (["import"], ["from"]):
                assert words[1].split(".")[0] not in FORBIDDEN, f"{path}: {line}"
