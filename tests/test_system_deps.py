"""`make test` on a machine where apt cannot be used: the system packages the suite needs are named at once."""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.fixture
def reachable() -> Iterator[Path]:
    """A folder `nobody` can read, holding a copy of scripts/system-deps (the clone's own folder may be root's alone)."""
    with tempfile.TemporaryDirectory() as folder:
        Path(folder).chmod(0o755)
        shutil.copy(REPO / "scripts" / "system-deps", folder)
        yield Path(folder)


def as_user_without_apt(command: list[str]) -> list[str]:
    """The command as a user who is neither root nor a sudoer: `nobody`, when the tests run as root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "nobody", "--", *command]
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        pytest.skip("this user can install with sudo, so the script would install, not stop")
    return command


def test_a_missing_browser_stops_the_run_at_once_naming_the_package(reachable):
    ran = subprocess.run(as_user_without_apt(["env", "CHROMIUM=/nonexistent/chromium", "bash", str(reachable / "system-deps")]),
                         capture_output=True, text=True, timeout=60)
    assert ran.returncode == 1
    assert ran.stderr.strip().splitlines() == ["claimscope: the tests need chromium; install with: sudo apt-get install chromium"]


def test_nothing_is_installed_when_everything_is_there(reachable):
    if not shutil.which("java"):
        pytest.skip("no Java on this machine: the script would ask for it")
    browser = reachable / "chromium"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    ran = subprocess.run(as_user_without_apt(["env", f"CHROMIUM={browser}", "bash", str(reachable / "system-deps")]),
                         capture_output=True, text=True, timeout=60)
    assert (ran.returncode, ran.stderr) == (0, "")
