"""The deployment files: what can be checked on a machine without a Docker engine or a booted
systemd. The unit is verified and rated by `systemd-analyze` where it exists."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bot.config import load_config

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "umkm-bot.service"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def unit() -> configparser.RawConfigParser:
    """The unit file as sections of options (repeated options keep the last value)."""
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(UNIT.read_text(encoding="utf-8"))
    return parser


def test_the_unit_restarts_on_failure_as_its_own_user_with_the_token_from_a_file():
    service = unit()["Service"]
    assert service["Restart"] == "on-failure" and service["User"] == "umkm-bot"
    assert service["EnvironmentFile"] == "/etc/umkm-bot/env"
    assert "BOT_TOKEN" not in UNIT.read_text(encoding="utf-8").split("[Service]")[1]
    assert service["ExecStartPre"].endswith("check") and service["ExecStart"].endswith("run")
    for option, value in [("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"),
                          ("ProtectHome", "yes"), ("PrivateTmp", "yes"),
                          ("CapabilityBoundingSet", ""), ("StateDirectory", "umkm-bot")]:
        assert service[option] == value, option


@pytest.mark.slow
@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
def test_systemd_verifies_the_unit_and_rates_it_well_protected(tmp_path):
    # The unit names the deployed paths; point them at this checkout to verify it here.
    text = UNIT.read_text(encoding="utf-8").replace(
        "/opt/umkm-bot/.venv/bin/umkm-bot", str(Path(sys.executable).parent / "umkm-bot"))
    local = tmp_path / "umkm-bot.service"
    local.write_text(text.replace("WorkingDirectory=/opt/umkm-bot", f"WorkingDirectory={ROOT}"),
                     encoding="utf-8")
    verified = subprocess.run([SYSTEMD_ANALYZE, "verify", str(local)], capture_output=True,
                              text=True, timeout=60)
    assert verified.returncode == 0 and not verified.stderr.strip(), verified.stderr
    rated = subprocess.run([SYSTEMD_ANALYZE, "security", "--offline=yes", str(local)],
                           capture_output=True, text=True, timeout=60)
    exposure = re.search(r"Overall exposure level for \S+: ([\d.]+)", rated.stdout)
    assert exposure is not None, rated.stdout[-500:]
    assert float(exposure.group(1)) <= 2.0, rated.stdout[-2000:]


def test_the_dockerfile_copies_what_exists_and_runs_unprivileged():
    lines = [line.strip() for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()]
    python = next(line for line in lines if line.startswith("FROM")).split(":")[1]
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert python.startswith("3.11") and requires == ">=3.11"
    copied = [part for line in lines if line.startswith("COPY")
              for part in line.split()[1:-1]]
    assert copied and all((ROOT / part).exists() for part in copied), copied
    ignored = (ROOT / "deploy" / "Dockerfile.dockerignore").read_text(encoding="utf-8")
    assert all(f"!{part.rstrip('/')}" in ignored for part in copied)
    user = next(line for line in lines if line.startswith("USER")).split()[1]
    assert user.split(":")[0] not in ("0", "root")
    assert 'ENTRYPOINT ["umkm-bot"]' in lines and 'CMD ["run"]' in lines


def test_the_shipped_config_keeps_its_data_where_the_image_mounts_its_volume():
    config = load_config(ROOT / "config.toml", env={})
    assert config.database == ROOT / "data" / "umkm.sqlite3"
    assert config.backup.directory == ROOT / "data" / "backups"
    assert "ln -s /data /app/data" in DOCKERFILE.read_text(encoding="utf-8")
