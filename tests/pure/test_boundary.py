"""The core must not depend on Telegram: only handlers/ imports `telegram`."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_core_never_imports_telegram():
    offenders = [
        str(path.relative_to(ROOT)) for path in (ROOT / "bot").rglob("*.py")
        if "telegram" in imported_modules(path) or ("handlers" in imported_modules(path)
        and path.name != "cli.py")
    ]
    assert offenders == []


def test_the_telegram_edge_does_import_telegram():
    assert "telegram" in imported_modules(ROOT / "handlers" / "telegram.py")
