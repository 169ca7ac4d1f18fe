"""`umkm-bot check`: a line per check, a non-zero exit at the first failure, getMe with a token."""

from __future__ import annotations

import io

import pytest

from bot.maintenance import check
from handlers.telegram import identify
from tests.support.config import write_config
from tests.support.fakebotapi import FakeBotAPI
from tests.support.harness import TOKEN

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)


async def run_check(config_path, env) -> tuple[int, list[str]]:
    """Run the checks; return the exit code and the printed lines."""
    out = io.StringIO()
    code = await check(config_path, env, out, identify)
    return code, out.getvalue().splitlines()


async def test_every_check_passes_and_getme_names_the_bot(tmp_path):
    path = write_config(tmp_path, '[backup]\ndirectory = "backups"\n')
    async with FakeBotAPI(token_check=TOKEN) as fake:
        code, lines = await run_check(path, {"BOT_TOKEN": TOKEN,
                                             "TELEGRAM_API_BASE_URL": fake.url})
        assert fake.calls("getMe")
    assert code == 0
    assert [line.split(":")[0] for line in lines] == [
        "ok   configuration", "ok   database", "ok   catalogs", "ok   questionnaire",
        "ok   templates", "ok   backups", "ok   telegram"]
    assert "@umkm_test_bot (id 123456)" in lines[-1] and "long polling" in lines[-1]
    assert (tmp_path / "bot.sqlite3").exists() and (tmp_path / "backups").is_dir()


async def test_a_refused_token_fails_the_last_check_without_printing_the_token(tmp_path):
    path = write_config(tmp_path)
    async with FakeBotAPI(token_check="999:other") as fake:
        code, lines = await run_check(path, {"BOT_TOKEN": TOKEN,
                                             "TELEGRAM_API_BASE_URL": fake.url})
    assert code == 1
    assert lines[-1].startswith("FAIL telegram: getMe at http://127.0.0.1")
    assert len(lines) == 7 and TOKEN not in "\n".join(lines)


async def test_the_first_failure_stops_the_checks(tmp_path):
    path = write_config(tmp_path, '[logging]\nlevel = "LOUD"\n')
    code, lines = await run_check(path, {})
    assert code == 1
    assert lines == ['FAIL configuration: config.toml: [logging] level must be one of "DEBUG", '
                     '"INFO", "WARNING", "ERROR".']
    assert not (tmp_path / "bot.sqlite3").exists()


async def test_an_unwritable_backup_folder_fails(tmp_path):
    (tmp_path / "taken").write_text("a file where the folder should be")
    path = write_config(tmp_path, '[backup]\ndirectory = "taken/backups"\n')
    code, lines = await run_check(path, {})
    assert code == 1 and lines[-1].startswith("FAIL backups:")


async def test_kinds_of_message_without_a_template_are_named_and_the_check_goes_on(tmp_path):
    # A reminder three days before has no template in the shipped templates.toml: on WhatsApp it
    # would wait outside the 24-hour window, so check says so (a warning, not a failure).
    path = write_config(tmp_path, '[reminders]\noffsets = ["7d", "3d", "1d", "2h"]\n')
    code, lines = await run_check(path, {})
    (line,) = [line for line in lines if " templates:" in line]
    assert code == 0 and line.startswith("warn templates: 11 templates for 13 kinds")
    assert "no template for reminder_3d:" in line and "reminder_7d" not in line.split(":")[-1]


def test_rules_naming_a_missing_option_stop_start_up_with_one_sentence(tmp_path, monkeypatch,
                                                                       capsys):
    # A deliberately broken fixture: the readiness rule scores an option the question lacks.
    from dataclasses import replace

    from bot import cli, core
    from bot.criteria import RULES, Part

    broken = replace(RULES, parts=(*RULES.parts[:-1],
                                   Part("administrasi", "NIB", "has_nib", points={"sure": 20})))
    monkeypatch.setattr(core, "RULES", broken)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code = cli.main(["--config", str(write_config(tmp_path)), "chat"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err == ("umkm-bot: The readiness scores do not match the questionnaire: part "
                   "'administrasi' refers to option 'sure' of question 'has_nib', which it does "
                   "not have.")


def test_a_questionnaire_without_a_question_the_reports_read_stops_start_up(tmp_path, monkeypatch,
                                                                           capsys):
    # A deliberately broken fixture: the questionnaire has lost its business-name question,
    # which the applicants table, the session lists and the export read.
    from dataclasses import replace

    from bot import cli, core
    from bot.questions import BUSINESS_NAME, QUESTIONNAIRE

    broken = replace(QUESTIONNAIRE, questions=tuple(
        q for q in QUESTIONNAIRE.questions if q.id != BUSINESS_NAME))
    monkeypatch.setattr(core, "QUESTIONNAIRE", broken)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code = cli.main(["--config", str(write_config(tmp_path)), "chat"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err == ("umkm-bot: The staff reports read the question 'business_name', which the "
                   "questionnaire does not have.")
