"""Configuration: every wrong value stops start-up with one sentence naming the key."""

import pytest

from bot.config import ConfigError, load_config, parse_offset
from tests.support.config import STAFF_ID, write_config


def test_the_shipped_config_loads_with_its_defaults():
    config = load_config(env={})
    assert config.default_language == "id" and str(config.time_zone) == "Asia/Jakarta"
    assert config.telegram.api_url == "https://api.telegram.org"
    assert config.telegram.mode == "polling" and config.telegram.token == ""
    assert config.reminders.offsets == (7 * 86400, 86400, 7200)
    assert config.database.name == "umkm.sqlite3"


def test_environment_overrides_token_api_url_and_database(tmp_path):
    config = load_config(write_config(tmp_path), env={
        "BOT_TOKEN": "1:abc", "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/",
        "UMKM_BOT_DB": str(tmp_path / "other.sqlite3")})
    assert config.telegram.token == "1:abc"
    assert config.telegram.api_url == "http://127.0.0.1:8081"
    assert config.database == tmp_path / "other.sqlite3"
    assert config.staff == frozenset({f"telegram:{STAFF_ID}"})
    assert "1:abc" not in repr(config)


def test_staff_name_their_channel_and_bare_numbers_stay_telegram_ids(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[bot]\nstaff = [123456789, "whatsapp:+6281234567890", "telegram:42"]\n',
                    encoding="utf-8")
    assert load_config(path, env={}).staff == frozenset(
        {"telegram:123456789", "whatsapp:6281234567890", "telegram:42"})


def test_backups_go_beside_the_database_unless_a_folder_is_set(tmp_path):
    # Issue 12: UMKM_BOT_DB moves the database; its backups move with it.
    path = tmp_path / "config.toml"
    path.write_text("", encoding="utf-8")
    moved = load_config(path, env={"UMKM_BOT_DB": str(tmp_path / "elsewhere" / "db.sqlite3")})
    assert moved.backup.directory == tmp_path / "elsewhere" / "backups"
    assert load_config(path, env={}).backup.directory == tmp_path / "data" / "backups"
    path.write_text('[backup]\ndirectory = "/var/backups/umkm"\n', encoding="utf-8")
    assert str(load_config(path, env={}).backup.directory) == "/var/backups/umkm"
    path.write_text('[backup]\ndirectory = ""\n', encoding="utf-8")
    assert load_config(path, env={}).backup.directory is None  # switched off


def test_the_office_contact_is_read_and_checked(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[office]\nwhatsapp = "+62 812 3456 7890"\nhours = "Senin-Jumat"\n',
                    encoding="utf-8")
    office = load_config(path, env={}).office
    assert office.whatsapp == "6281234567890" and office.hours == "Senin-Jumat"
    assert office.name == "Dindagkop-UKM Kota Pekalongan"  # the default name
    shipped = load_config(env={}).office
    assert shipped.name and shipped.address


def test_relative_database_paths_are_relative_to_the_config_file(tmp_path):
    config = load_config(write_config(tmp_path), env={})
    assert config.database == tmp_path / "bot.sqlite3"


@pytest.mark.parametrize(("toml", "message"), [
    ('[bot]\ndefault_language = "fr"', '[bot] default_language must be one of "id", "en"'),
    ('[bot]\ntime_zone = "Mars/Base"', "[bot] time_zone must be a time zone name"),
    ('[bot]\nstaff = ["alice"]', "[bot] staff must be a list of Telegram user ids"),
    ('[bot]\nstaff = ["whatsapp:12"]', "[bot] staff must be a list of Telegram user ids"),
    ('[bot]\nstaff = [-5]', "[bot] staff must be a list of Telegram user ids"),
    ('[bot]\nstaf = [1]', "[bot] has an unknown key 'staf'"),
    ('[telegram]\napi_url = "ftp://x"', "[telegram] api_url must be an http:// or https:// URL"),
    ('[telegram]\nmode = "pigeon"', '[telegram] mode must be one of "polling", "webhook"'),
    ('[telegram]\nmode = "webhook"', "[telegram] webhook_url must be the public https:// URL"),
    ('[telegram]\npoll_interval_ms = -5', "[telegram] poll_interval_ms must be"),
    ('[questionnaire]\nmin_monthly_kg = -1', "[questionnaire] min_monthly_kg must be a number"),
    ('[reminders]\noffsets = ["7 weeks"]', "[reminders] offsets must be a list of offsets"),
    ('[broadcast]\nrate = 0', "[broadcast] rate must be a number from 0.1 to 10000"),
    ('[logging]\nlevel = "LOUD"', "[logging] level must be one of"),
    ("[nonsense]\n", "unknown table [nonsense]"),
    ('[office]\nwhatsapp = "0812-3456"', "[office] whatsapp must be a number in international"),
    ('[office]\nweb = "dindagkop"', "[office] web must be an http:// or https:// URL"),
    ('[office]\nname = " "', "[office] name must be the office's name"),
    ('[office]\nfax = "1"', "[office] has an unknown key 'fax'"),
    ("this is = not toml [", "is not valid TOML"),
    ('[[sessions]]\nkey = "a"\ntitle = "T"\nstarts_at = "6 Oktober"',
     "[sessions #1] starts_at must be a WIB date and time"),
])
def test_wrong_values_name_the_key(tmp_path, toml, message):
    path = tmp_path / "config.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path, env={})
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_a_missing_file_is_one_sentence(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml", env={})


@pytest.mark.parametrize(("text", "seconds"), [("7d", 604800), ("2h", 7200), ("30m", 1800)])
def test_offsets(text, seconds):
    assert parse_offset(text) == seconds
