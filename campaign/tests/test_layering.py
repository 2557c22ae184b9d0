"""Imports run one way (STYLE.md, "Shape"): campaign/lib ← jobs ← districts ← risks ←
hazards ← campaign ← reporting ← audit (which only listens: nothing imports it).
A record never imports what reports on it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Lower layers first; a module may import only from its own layer or below.
LAYERS = ["campaign.lib", "jobs", "districts", "risks", "hazards", "campaign", "reporting", "audit"]
# The project files in campaign/ sit above everything.
PROJECT_FILES = {
    "campaign/settings.py",
    "campaign/urls.py",
    "campaign/celery.py",
    "campaign/wsgi.py",
    "campaign/asgi.py",
}


def layer_of(module: str) -> int | None:
    # The longest matching name wins: campaign.lib.xlsx is in campaign.lib, not campaign.
    matches = [i for i, name in enumerate(LAYERS) if module == name or module.startswith(name + ".")]
    return max(matches, key=lambda i: len(LAYERS[i])) if matches else None


def imports_of(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def source_files():
    for top in ("jobs", "districts", "risks", "hazards", "campaign", "reporting", "audit"):
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/tests/" not in rel and "/migrations/" not in rel and rel not in PROJECT_FILES:
                yield rel


@pytest.mark.parametrize("rel", list(source_files()))
def test_module_imports_only_from_its_layer_or_below(rel):
    own = layer_of(rel.removesuffix(".py").replace("/", "."))
    above = [m for m in imports_of(ROOT / rel) if (layer := layer_of(m)) is not None and layer > own]
    assert above == [], f"{rel} imports from a higher layer: {above}"
