"""Tests for bot.config: defaults, TOML + env precedence and German error messages."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sachstand.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path | None = None, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ={} if environ is None else environ)
    return info.value.message


def test_embedded_defaults() -> None:
    settings = load_settings(environ={})
    assert type(settings) is Settings
    assert settings.config_path is None
    assert settings.general.locale == "de"
    assert settings.general.timezone == "Europe/Berlin"
    assert settings.general.holiday_subdivision == "NW"
    assert settings.database.url == "sqlite:///data/sachstand.db"
    assert settings.web.port == 8080
    assert settings.console.place == "dm"
    assert settings.matrix.enabled is False and settings.matrix.password is None
    assert settings.slack.mode == "http"
    assert settings.roles.coordinators == ["koordination"]
    assert settings.rounds.reminder_days == [7, 2, 0]
    assert settings.meetings.office_hours_start == time(9, 0)
    assert settings.meetings.office_hours_end == time(16, 0)
    assert settings.digests.schedule == "monthly"
    assert settings.logging.level == "INFO"


SITE_EXAMPLES = ("imprint_text", "privacy_text", "contact_email", "contact_address", "statement_date")


def test_example_file_equals_defaults() -> None:
    """Except the site's legal texts and contact: the example shows them (marked BEISPIEL), the
    defaults leave them empty, so that nobody publishes an example imprint by accident."""
    from_file = load_settings(EXAMPLE, environ={}).model_dump()
    defaults = load_settings(environ={}).model_dump()
    assert load_settings(EXAMPLE, environ={}).config_path == EXAMPLE
    for key in SITE_EXAMPLES:
        assert from_file["site"].pop(key) and not defaults["site"].pop(key), key
    assert from_file == defaults


def test_example_file_covers_every_key() -> None:
    import tomllib

    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    text = EXAMPLE.read_text(encoding="utf-8")
    for section, field in Settings.model_fields.items():
        assert section in data
        for key in field.annotation.model_fields:  # type: ignore[union-attr]
            # Secrets appear only commented out.
            assert key in data[section] or f"# {key} = " in text, f"{section}.{key}"


def test_env_overrides() -> None:
    settings = load_settings(
        environ={
            "SACHSTAND_GENERAL__LOCALE": "en",
            "SACHSTAND_DATABASE__URL": "postgresql+psycopg://u:pw@db/sachstand",
            "SACHSTAND_ROUNDS__REMINDER_DAYS": "[3, 1]",
        }
    )
    assert settings.general.locale == "en"
    assert settings.general.timezone == "Europe/Berlin"  # rest of the section keeps defaults
    assert settings.database.url == "postgresql+psycopg://u:pw@db/sachstand"
    assert settings.rounds.reminder_days == [3, 1]


def test_env_beats_toml(tmp_path: Path) -> None:
    path = write(tmp_path, '[general]\nlocale = "de"\ntimezone = "Europe/Vienna"\n[web]\nport = 9000\n')
    settings = load_settings(path, environ={"SACHSTAND_GENERAL__LOCALE": "en"})
    assert settings.general.locale == "en"
    assert settings.general.timezone == "Europe/Vienna"
    assert settings.web.port == 9000
    assert settings.config_path == path


def test_config_env_var_used_when_path_is_none(tmp_path: Path) -> None:
    path = write(tmp_path, "[web]\nport = 0\n")
    settings = load_settings(environ={"SACHSTAND_CONFIG": str(path)})
    assert settings.web.port == 0
    assert settings.config_path == path


def test_missing_file() -> None:
    message = error_of(Path("/nonexistent/sachstand.toml"))
    assert "nicht gefunden" in message and "/nonexistent/sachstand.toml" in message


def test_unknown_key_lists_allowed_keys(tmp_path: Path) -> None:
    path = write(tmp_path, '[general]\nfoo = 1\n')
    message = error_of(path)
    assert message.splitlines()[0] == f"Konfigurationsfehler in {path}:"
    assert "general.foo: unbekannter Schlüssel. Erlaubt sind: locale, timezone, holiday_country" in message
    assert "example_catalog" in message


def test_unknown_section(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "[telegram]\nenabled = true\n"))
    assert "telegram: unbekannter Abschnitt" in message
    assert "general, database, web, console, matrix, slack" in message


def test_wrong_type(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, '[web]\nport = "abc"\n'))
    assert "web.port" in message and "ganze Zahl" in message and '"abc"' in message


def test_out_of_range_names_bounds(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "[web]\nport = 70000\n[rounds]\nreminder_days = [7, 99]\n"))
    assert "web.port" in message and "0 bis 65535" in message
    assert "rounds.reminder_days[1]" in message and "0 bis 60" in message


def test_bad_enum_lists_values(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, '[general]\nlocale = "fr"\n'))
    assert "general.locale" in message and "Erlaubt sind: de, en" in message


def test_bad_timezone(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, '[general]\ntimezone = "Mars/Olympus"\n'))
    assert "general.timezone" in message and "Mars/Olympus" in message


def test_bad_subdivision_for_germany(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, '[general]\nholiday_subdivision = "XX"\n'))
    assert "general.holiday_subdivision" in message
    assert "XX" in message and "NW" in message and "BY" in message


def test_other_country_with_its_subdivision(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[general]\nholiday_country = "AT"\nholiday_subdivision = "9"\n'), {})
    assert settings.general.holiday_country == "AT"


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[general]\nlocale = "de"\ntimezone = \n')
    message = error_of(path)
    assert str(path) in message and "Zeile 3" in message and "Spalte" in message


def test_matrix_enabled_without_homeserver(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, '[matrix]\nenabled = true\nuser_id = "@bot:example.org"\n'))
    assert "matrix.homeserver: erforderlich" in message
    assert "matrix.password" in message and "access_token" in message
    assert "matrix.user_id" not in message


def test_matrix_enabled_complete(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[matrix]\nenabled = true\nhomeserver = "https://matrix.example.org"\nuser_id = "@bot:example.org"\n'
    )
    settings = load_settings(path, environ={"SACHSTAND_MATRIX__ACCESS_TOKEN": "syt_geheim"})
    assert settings.matrix.access_token is not None
    assert settings.matrix.access_token.get_secret_value() == "syt_geheim"


def test_slack_socket_mode_needs_app_token() -> None:
    environ = {"SACHSTAND_SLACK__ENABLED": "true", "SACHSTAND_SLACK__MODE": "socket", "SACHSTAND_SLACK__BOT_TOKEN": "x"}
    message = error_of(environ=environ)
    assert "slack.app_token" in message and "slack.signing_secret" not in message


def test_secrets_not_revealed_in_repr(tmp_path: Path) -> None:
    path = write(tmp_path, '[matrix]\npassword = "streng-geheim"\n[slack]\nbot_token = "xoxb-geheim"\n')
    settings = load_settings(path, environ={"SACHSTAND_DATABASE__URL": "postgresql://u:dbgeheim@h/db"})
    text = repr(settings) + str(settings)
    assert "streng-geheim" not in text and "xoxb-geheim" not in text and "dbgeheim" not in text
    assert settings.matrix.password is not None
    assert settings.matrix.password.get_secret_value() == "streng-geheim"


def test_error_from_env_names_variable(tmp_path: Path) -> None:
    path = write(tmp_path, '[general]\nlocale = "de"\n')
    message = error_of(path, {"SACHSTAND_GENERAL__LOCALE": "fr"})
    assert "Umgebungsvariable SACHSTAND_GENERAL__LOCALE" in message


def test_defaults_error_header_without_file() -> None:
    message = error_of(environ={"SACHSTAND_WEB__PORT": "abc"})
    assert "eingebaute Standardwerte" in message.splitlines()[0]


def test_several_errors_one_per_line(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, '[web]\nport = "abc"\n[digests]\nschedule = "daily"\n'))
    lines = message.splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("  web.port") and lines[2].startswith("  digests.schedule")
    assert "off, weekly, monthly" in lines[2]


def test_invalid_values(tmp_path: Path) -> None:
    text = (
        '[console]\nplace = "eg-bildung"\n'
        '[roles]\ncoordinators = ["Koordination!"]\n'
        '[slack]\napi_base_url = "https://slack.com/api"\nslash_command = "sachstand"\n'
        '[web]\npublic_base_url = "ftp://example.org"\n'
        '[database]\nurl = "kein url"\n'
        '[meetings]\noffice_hours_start = "17:00"\n'
    )
    message = error_of(write(tmp_path, text))
    for key in (
        "console.place",
        "roles.coordinators",
        "slack.api_base_url",
        "slack.slash_command",
        "web.public_base_url",
        "database.url",
        "meetings.office_hours_end",
    ):
        assert f"  {key}" in message, key


def test_identities_accepted_as_coordinators(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[roles]\ncoordinators = ["anna.m", "console:anna", "matrix:@anna:example.org", "slack:U012AB"]\n'
    )
    assert len(load_settings(path, environ={}).roles.coordinators) == 4


def test_environ_defaults_to_process_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SACHSTAND_GENERAL__LOCALE", "en")
    monkeypatch.delenv("SACHSTAND_CONFIG", raising=False)
    assert load_settings().general.locale == "en"


def test_the_example_configuration_fills_the_sites_legal_pages_and_a_lack_is_said(tmp_path: Path) -> None:
    """Site finding F5 (second walk): the example configuration shows Impressum, Datenschutzerklärung
    and a contact (as examples, marked so); without them `check-config` warns."""
    import subprocess
    import sys

    example = load_settings(EXAMPLE, {})
    assert example.site.missing() == [] and "BEISPIEL" in example.site.imprint_text
    bare = load_settings(None, {})
    assert len(bare.site.missing()) == 3
    run = subprocess.run([sys.executable, "-m", "bot", "check-config"], capture_output=True, text=True, timeout=60,
                         cwd=EXAMPLE.parent, env={"PATH": "/usr/bin:/bin", "SACHSTAND_GENERAL__DATA_DIR": str(tmp_path)})
    assert run.returncode == 0 and "Warnung: der öffentlichen Seite fehlt [site] Impressum" in run.stderr, run.stderr
