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


def test_templates_piped_into_a_reader_that_stops_early_ends_quietly(tmp_path):
    # `umkm-bot templates | head`: the reader is gone before the command writes.
    path = tmp_path / "config.toml"
    path.write_text("", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "bot", "--config", str(path), "templates"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # type: ignore[union-attr]
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 0
    assert b"Traceback" not in err and b"BrokenPipe" not in err
