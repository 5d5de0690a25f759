"""Keep requirements.lock honest: it records a fingerprint of pyproject.toml's dependency declarations.

``python3 scripts/lockfile.py check`` fails (exit 1) when pyproject.toml declares other dependencies than the lock was
resolved from; ``stamp`` writes the fingerprint after ``scripts/lock`` resolved; ``drift`` reads ``uv pip freeze``
output and prints what differs from the lock. Standard library only: it runs before any virtual environment exists.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
MARK = "# pyproject-dependencies-sha256: "


def fingerprint() -> str:
    """A hash of what the lock is resolved from: Python range, dependencies and extras (not version or tool config)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {key: project.get(key) for key in ("requires-python", "dependencies", "optional-dependencies")}
    return hashlib.sha256(json.dumps(declared, sort_keys=True).encode()).hexdigest()


def recorded() -> str | None:
    if not LOCK.is_file():
        return None
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if line.startswith(MARK):
            return line.removeprefix(MARK).strip()
    return None


def stamp() -> None:
    lines = [line for line in LOCK.read_text(encoding="utf-8").splitlines() if not line.startswith(MARK)]
    lines.insert(0, MARK + fingerprint())
    LOCK.write_text("\n".join(lines) + "\n", encoding="utf-8")


def check() -> int:
    if recorded() == fingerprint():
        return 0
    why = (
        "is missing" if not LOCK.is_file() else "is stale: pyproject.toml's dependencies changed since it was resolved"
    )
    print(
        f"requirements.lock {why}.\n"
        "Run scripts/lock (scripts/lock --upgrade-package NAME to move one package) and commit requirements.lock "
        "together with pyproject.toml.",
        file=sys.stderr,
    )
    return 1


def requirements() -> list[tuple[str, str, str]]:
    """(name, version, environment marker or "") of every package in the lock, in its order."""
    found = []
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^ ;\\]+)(?: ; (.+?))?(?: \\)?$", line)
        if match:
            found.append((match.group(1), match.group(2), match.group(3) or ""))
    return found


def pins() -> dict[str, str]:
    """name -> version of every package in the lock."""
    return {_normalize(name): version for name, version, _ in requirements()}


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def drift(freeze: str) -> None:
    """Print how an installed set (``uv pip freeze`` output) differs from the lock, one package a line."""
    locked = pins()
    for line in freeze.splitlines():
        name, sep, version = line.partition("==")
        key = _normalize(name)
        if sep and locked.get(key) != version:
            print(f"  {key}: {locked.get(key, 'not locked')} -> {version}", file=sys.stderr)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) == 2 else ""
    if command == "check":
        sys.exit(check())
    if command == "stamp":
        stamp()
        sys.exit(0)
    if command == "drift":
        drift(sys.stdin.read())
        sys.exit(0)
    print("usage: lockfile.py check|stamp|drift", file=sys.stderr)
    sys.exit(2)
