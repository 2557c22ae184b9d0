"""axe-core (the copy bundled in the axe-playwright-python package, installed from the package
index with the other test dependencies) run inside the page, for WCAG 2.1 AA."""

from axe_playwright_python.sync_playwright import Axe

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

_axe = Axe()


def blocking_violations(page) -> list[dict]:
    """The serious and critical WCAG 2.1 AA violations on the page as it is now."""
    results = _axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]},
    )
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING]


def describe(where: str, violations: list[dict]) -> list[str]:
    """One line per violation: the page, the rule, how many elements and which (the first few)."""
    lines = []
    for v in violations:
        targets = [" ".join(map(str, node["target"])) for node in v["nodes"]]
        shown = ", ".join(targets[:5]) + (f" … (+{len(targets) - 5})" if len(targets) > 5 else "")
        lines.append(f"{where}: {v['id']} ({v['impact']}, {len(targets)}×) {shown}")
    return lines
