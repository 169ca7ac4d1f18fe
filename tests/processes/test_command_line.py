"""The `umkm-bot` command in a process of its own: what a deployer sees on a bad start."""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def test_the_command_line_reports_a_bad_config_without_a_traceback(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[bot]\ndefault_language = "xx"\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bot", "--config", str(path), "run"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "default_language" in done.stderr and "Traceback" not in done.stderr
