"""Sachstand configuration: a TOML file plus ``SACHSTAND_<SECTION>__<KEY>`` overrides.

Precedence (highest first): keyword arguments, environment, TOML file, defaults.
Use :func:`load_settings`; every failure becomes a :class:`ConfigError` whose
``message`` is German and ready to print.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from pydantic import Field, PrivateAttr, ValidationError
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings import SettingsError, TomlConfigSettingsSource

from bot.config_errors import ENV_DELIMITER, ENV_PREFIX, ConfigError, check_toml_file
from bot.config_errors import format_settings_error, format_validation_error
from bot.config_site import SiteSection
from bot.config_sections import (  # re-exported: callers import the sections from here
    ClusterSection, ConsoleSection, DatabaseSection, DigestsSection, GeneralSection, LoggingSection,
    MatrixSection, MeetingsSection, OutboxSection, PrivacySection, QuestionsSection, RolesSection, RoundsSection,
    SlackSection, WebSection,
)

__all__ = [
    "ConfigError", "Settings", "load_settings", "GeneralSection", "DatabaseSection", "WebSection",
    "ConsoleSection", "MatrixSection", "SlackSection", "RolesSection", "RoundsSection", "MeetingsSection",
    "DigestsSection", "PrivacySection", "QuestionsSection", "LoggingSection", "ClusterSection",
    "OutboxSection",
]  # fmt: skip

CONFIG_ENV_VAR = "SACHSTAND_CONFIG"


class Settings(BaseSettings):
    """All configuration sections. Build it with :func:`load_settings`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter=ENV_DELIMITER, extra="forbid", toml_file=None
    )

    general: GeneralSection = Field(default_factory=GeneralSection, description="General settings.")
    database: DatabaseSection = Field(default_factory=DatabaseSection, description="Database.")
    web: WebSection = Field(default_factory=WebSection, description="Web server.")
    console: ConsoleSection = Field(default_factory=ConsoleSection, description="Console transport.")
    matrix: MatrixSection = Field(default_factory=MatrixSection, description="Matrix transport.")
    slack: SlackSection = Field(default_factory=SlackSection, description="Slack transport.")
    roles: RolesSection = Field(default_factory=RolesSection, description="Roles.")
    rounds: RoundsSection = Field(default_factory=RoundsSection, description="Reporting rounds.")
    meetings: MeetingsSection = Field(default_factory=MeetingsSection, description="Meetings.")
    digests: DigestsSection = Field(default_factory=DigestsSection, description="Digests.")
    privacy: PrivacySection = Field(default_factory=PrivacySection, description="Data protection.")
    questions: QuestionsSection = Field(default_factory=QuestionsSection, description="Public questions.")
    logging: LoggingSection = Field(default_factory=LoggingSection, description="Logging.")
    cluster: ClusterSection = Field(default_factory=ClusterSection, description="Leader and standby processes.")
    outbox: OutboxSection = Field(default_factory=OutboxSection, description="Delivery of outgoing messages.")
    site: SiteSection = Field(default_factory=SiteSection, description="Public site: legal pages, contact.")

    _config_path: Path | None = PrivateAttr(default=None)

    @property
    def config_path(self) -> Path | None:
        """The TOML file these settings were read from (None = built-in defaults)."""
        return self._config_path

    # Environment to read instead of os.environ; only set on load_settings' per-call subclass.
    _environ: ClassVar[Mapping[str, str] | None] = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        if cls._environ is not None:
            env_settings = _MappingEnvSource(settings_cls, cls._environ)
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls)


class _MappingEnvSource(EnvSettingsSource):
    """Reads an explicit mapping instead of ``os.environ``, so loading never mutates the process env."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = dict(environ)  # set before super(): its __init__ calls _load_env_vars
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        # Same normalisation as pydantic-settings' parse_env_vars (env_parse_none_str is unused here).
        return {
            (key if self.case_sensitive else key.lower()): value
            for key, value in self._environ.items()
            if not (self.env_ignore_empty and value == "")
        }


def _settings_class(toml_file: Path | None, environ: Mapping[str, str]) -> type[Settings]:
    """A throw-away subclass carrying this load's file and environment (no module globals)."""

    class LoadedSettings(Settings):
        model_config = SettingsConfigDict(**{**Settings.model_config, "toml_file": toml_file})
        _environ: ClassVar[Mapping[str, str] | None] = environ

    return LoadedSettings


def _config_file(path: str | Path | None, environ: Mapping[str, str]) -> Path | None:
    if path is None:
        path = environ.get(CONFIG_ENV_VAR) or None
    return None if path is None else Path(path).expanduser()


def load_settings(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Load settings from ``path`` (or ``$SACHSTAND_CONFIG``, or built-in defaults) plus environment.

    ``environ`` defaults to ``os.environ``; it is only read, never modified.
    Raises :class:`ConfigError` for every kind of problem.
    """
    env = dict(os.environ if environ is None else environ)
    toml_file = _config_file(path, env)
    if toml_file is not None:
        check_toml_file(toml_file)
    try:
        loaded = _settings_class(toml_file, env)()
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, Settings, toml_file, env)) from exc
    except SettingsError as exc:
        raise ConfigError(format_settings_error(exc, toml_file)) from exc
    # Re-home the validated values in a plain Settings so type checks and == behave normally.
    settings = Settings.model_construct(
        _fields_set=loaded.model_fields_set, **{name: getattr(loaded, name) for name in Settings.model_fields}
    )
    settings._config_path = toml_file
    return settings
