"""The installs are reproducible: ./dev installs the locks (requirements.txt,
requirements-dev.txt: every package pinned with its hashes), compiled by ./dev lock
from the short lists of what we chose (requirements.in, requirements-dev.in). A pin
edited in a list but not compiled into its lock would install something else."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;#\\]+)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            found[canonical(match[1])] = match[2]
    return found


@pytest.mark.parametrize(
    ("listed", "lock"), [("requirements.in", "requirements.txt"), ("requirements-dev.in", "requirements-dev.txt")]
)
def test_every_chosen_package_is_locked_at_its_version(listed, lock):
    locked = pins(ROOT / lock)
    chosen = pins(ROOT / listed)
    assert chosen, f"{listed} lists no pinned package"
    wrong = {name: (version, locked.get(name)) for name, version in chosen.items() if locked.get(name) != version}
    assert wrong == {}, f"{listed} and {lock} disagree (chosen, locked); run ./dev lock"


@pytest.mark.parametrize("lock", ["requirements.txt", "requirements-dev.txt"])
def test_every_locked_package_has_a_version_and_hashes(lock):
    text = (ROOT / lock).read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    unhashed = [entry.split()[0] for entry in entries if "==" not in entry.split()[0] or "--hash=sha256:" not in entry]
    assert unhashed == []
    # The card's broker client comes in through celery[redis]: it is pinned too.
    assert "redis" in pins(ROOT / lock)


def test_the_dev_lock_keeps_the_runtime_pins():
    runtime = pins(ROOT / "requirements.txt")
    dev = pins(ROOT / "requirements-dev.txt")
    assert {name: version for name, version in runtime.items() if dev.get(name) != version} == {}
