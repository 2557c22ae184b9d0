"""Imports run one way (STYLE.md, "Shape"): campaign/lib ← jobs ← districts ← risks ←
hazards ← campaign ← reporting ← oversight ← notifications ← audit (which only listens:
nothing imports it).
A record never imports what reports on it. "Imports" counts every way a module names
another: import statements, relative ones too, and dotted strings — include("risks.urls"),
"hazards.Hazard" in a ForeignKey, apps.get_model("hazards", "Hazard"), a dotted path in a
setting-like string."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
# Lower layers first (the settings list the platform's apps in this order); a module may import
# only from its own layer or below.
LAYERS = ["campaign.lib", *settings.PLATFORM_APPS]
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


# A dotted name in a string: a module ("risks.urls" in include(), "hazards.tasks.x" in a
# setting or import_module) or a model ("hazards.Hazard" in a ForeignKey or apps.get_model).
DOTTED = re.compile(r"[a-z_][a-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")


def module_of(rel: str) -> str:
    return rel.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def package_of(rel: str) -> str:
    # The package a relative import starts from: the module's own for __init__.py.
    module = module_of(rel)
    return module if rel.endswith("__init__.py") else module.rpartition(".")[0]


def docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def imports_of(rel: str, source: str | None = None):
    """Every module or model the file names: import statements (relative ones resolved to the
    absolute module), dotted strings, and apps.get_model("app", "Model")."""
    tree = ast.parse((ROOT / rel).read_text(encoding="utf-8") if source is None else source)
    skip = docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module
            else:
                parts = package_of(rel).split(".")
                assert node.level - 1 < len(parts), f"{rel}: a relative import beyond the top package"
                base = ".".join(parts[: len(parts) - (node.level - 1)] + ([node.module] if node.module else []))
            yield base
            # from . import tasks / from campaign import lib: the names may be modules.
            yield from (f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            if DOTTED.fullmatch(node.value):
                yield node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, (ast.Attribute, ast.Name))
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "get_model"
            and len(node.args) == 2
            and all(isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in node.args)
        ):
            yield f"{node.args[0].value}.{node.args[1].value}"


def source_files():
    for top in ("jobs", "districts", "risks", "hazards", "campaign", "reporting", "notifications", "audit"):
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/tests/" not in rel and "/migrations/" not in rel and rel not in PROJECT_FILES:
                yield rel


@pytest.mark.parametrize("rel", list(source_files()))
def test_module_imports_only_from_its_layer_or_below(rel):
    own = layer_of(module_of(rel))
    above = sorted({m for m in imports_of(rel) if (layer := layer_of(m)) is not None and layer > own})
    assert above == [], f"{rel} imports from a higher layer: {above}"


PLANTED = """
\"\"\"A docstring naming hazards.Hazard is prose, not a dependency.\"\"\"
from django.urls import include
from . import selectors
from .models import OrgUnit
from reporting import services
urlpatterns = [include("risks.urls")]
owner = models.ForeignKey("hazards.Hazard", on_delete=models.CASCADE)
submission = apps.get_model("reporting", "Submission")
TASK = "campaign.tasks.heartbeat"
label = "not.a module name"
"""


def test_relative_imports_and_dotted_strings_count_as_imports():
    found = set(imports_of("districts/views.py", PLANTED))
    assert {
        "districts.selectors",
        "districts.models",
        "reporting.services",
        "risks.urls",
        "hazards.Hazard",
        "reporting.Submission",
        "campaign.tasks.heartbeat",
    } <= found
    assert "not.a module name" not in found
    assert not any("docstring" in name for name in found)
    own = layer_of("districts.views")
    assert {m for m in found if (layer := layer_of(m)) is not None and layer > own} == {
        "reporting",
        "reporting.services",
        "risks.urls",
        "hazards.Hazard",
        "reporting.Submission",
        "campaign.tasks.heartbeat",
    }


def test_a_relative_import_is_read_as_the_module_it_names():
    # campaign/lib/ sits below campaign's models: "from ..models" there reaches upward.
    found = set(imports_of("campaign/lib/paging.py", "from ..models import Campaign\nfrom . import params\n"))
    assert found == {"campaign.models", "campaign.models.Campaign", "campaign.lib", "campaign.lib.params"}
    assert layer_of("campaign.models") > layer_of("campaign.lib.paging")
    found = set(imports_of("campaign/lib/xlsx/__init__.py", "from .base import Importer\nfrom .. import uploads\n"))
    assert found == {
        "campaign.lib.xlsx.base",
        "campaign.lib.xlsx.base.Importer",
        "campaign.lib",
        "campaign.lib.uploads",
    }
