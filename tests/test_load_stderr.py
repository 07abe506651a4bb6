"""`claimscope load` says nothing on stderr but what is wrong with the files: no third-party warning."""

import subprocess
import sys

from tests.conftest import SAMPLES


def test_a_clean_load_prints_nothing_on_stderr(tmp_path):
    ran = subprocess.run([sys.executable, "-m", "etl.cli", "load", str(SAMPLES / "837P_20251127.837"), "--db", str(tmp_path / "x.duckdb")],
                         capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr
    assert "loaded" in ran.stdout
    assert ran.stderr.strip() == ""
