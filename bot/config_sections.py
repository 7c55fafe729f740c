"""The sections of Sachstand's configuration (one pydantic model each) and their value checks.

`bot/config.py` assembles them into `Settings` and loads TOML and environment overrides.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr
from pydantic import field_validator, model_validator

from bot.config_errors import FieldProblem

# --- reusable value checks -------------------------------------------------

def _http_url(value: str) -> str:
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise ValueError(f"ungültiger Port in URL {value!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"keine gültige http(s)-URL: {value!r}. Erwartet z. B. https://beispiel.de")
    return value


def _optional_http_url(value: str) -> str:
    return value and _http_url(value)


def _matching(pattern: str, allowed: str) -> AfterValidator:
    """Validator for values whose form is a regular expression; ``allowed`` explains it to users."""
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise ValueError(f"ungültiger Wert {value!r}. {allowed}")
        return value

    return AfterValidator(check)


_HANDLE = r"[a-z0-9_.-]+"
_MATRIX_USER = r"@[^:\s]+:\S+"
HttpUrl = Annotated[str, AfterValidator(_http_url)]
OptionalHttpUrl = Annotated[str, AfterValidator(_optional_http_url)]
Handle = Annotated[str, _matching(_HANDLE, "Erlaubt sind Kleinbuchstaben, Ziffern und _ . -")]
Place = Annotated[str, _matching(r"dm|#\S+", 'Erlaubt sind "dm" oder ein Raum wie "#eg-bildung"')]
MatrixUserId = Annotated[str, _matching(rf"|{_MATRIX_USER}", 'Erwartet "@name:server" (oder "" solange abgeschaltet)')]
_SERVER = r"[A-Za-z0-9.-]+(:\d+)?"
_INVITER_HINT = 'Erlaubt sind "@name:server" oder Servernamen wie "server.de"'
Inviter = Annotated[str, _matching(rf"{_MATRIX_USER}|{_SERVER}", _INVITER_HINT)]
SlashCommand = Annotated[str, _matching(r"/\S+", 'Muss mit / beginnen, z. B. "/sachstand".')]
Coordinator = Annotated[
    str,
    _matching(
        rf"{_HANDLE}|console:\S+|matrix:{_MATRIX_USER}|slack:[UW][A-Z0-9]+",
        "Erlaubt sind Kürzel (a-z 0-9 _ . -) oder console:<id>, matrix:@name:server, slack:U…",
    ),
]
ReminderDay = Annotated[int, Field(ge=0, le=60)]
Blackout = Annotated[str, Field(pattern=r"^\d{1,2}\.\d{1,2}\.(\d{4})?\s*[-–]\s*\d{1,2}\.\d{1,2}\.(\d{4})?$")]


def _has_secret(secret: SecretStr | None) -> bool:
    return bool(secret and secret.get_secret_value())


class _Section(BaseModel):
    """Base for all sections: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


# --- sections ----------------------------------------------------------------


class GeneralSection(_Section):
    """Language, time zone, holiday calendar and start-up data."""

    locale: Literal["de", "en"] = Field("de", description="Language of bot replies.")
    timezone: str = Field("Europe/Berlin", description="IANA time zone used for all dates and schedules.")
    holiday_country: str = Field("DE", description="Country code known to the `holidays` package.")
    holiday_subdivision: str = Field("NW", description="Subdivision (state) of holiday_country; '' = nationwide.")
    example_catalog: str = Field(
        "examples/koeln.yaml", description="Catalogue loaded into an empty database at start; '' disables."
    )
    example_history: bool = Field(
        True, description="Also load the catalogue's history (<name>-verlauf.yaml: past rounds, meetings)."
    )
    data_dir: Path = Field(Path("data"), description="Directory for the SQLite file and stores.")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unbekannte Zeitzone {value!r}. Erwartet wird ein IANA-Name wie Europe/Berlin") from None
        return value

    @field_validator("holiday_country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        if value not in _holiday_countries():
            allowed = ", ".join(sorted(_holiday_countries(aliases=False)))
            raise ValueError(f"vom holidays-Paket nicht unterstütztes Land {value!r}. Erlaubt sind: {allowed}")
        return value

    @model_validator(mode="after")
    def _known_subdivision(self) -> GeneralSection:
        subdivisions = _holiday_countries()[self.holiday_country]
        if self.holiday_subdivision and self.holiday_subdivision not in subdivisions:
            allowed = ", ".join(subdivisions) or "keine (leer lassen)"
            raise FieldProblem(
                (
                    "holiday_subdivision",
                    f"unbekannte Region {self.holiday_subdivision!r} für {self.holiday_country}. "
                    f"Erlaubt sind: {allowed} oder \"\" (landesweit)",
                )
            )
        return self


def _holiday_countries(aliases: bool = True) -> dict[str, list[str]]:
    import holidays  # imported lazily: loading every country module is slow

    return holidays.list_supported_countries(include_aliases=aliases)


class DatabaseSection(_Section):
    """Database connection (SQLAlchemy URL)."""

    # repr=False: a PostgreSQL URL may carry a password.
    url: str = Field("sqlite:///data/sachstand.db", repr=False, description="SQLAlchemy database URL.")
    echo: bool = Field(False, description="Log every SQL statement.")
    pool_size: int = Field(5, ge=1, description="Connection pool size (ignored by SQLite).")
    workers: int = Field(4, ge=1, le=32, description="Threads that handle incoming events at once on PostgreSQL, "
                         "each in another conversation (SQLite: always one writer).")

    @field_validator("url")
    @classmethod
    def _parsable_url(cls, value: str) -> str:
        from sqlalchemy.engine import make_url  # lazy: keeps `import bot.config` cheap
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(value)
        except (ArgumentError, ValueError):  # ValueError: e.g. a non-numeric port
            # The value is not echoed because it may contain a password.
            raise ValueError("keine gültige SQLAlchemy-URL. Erwartet z. B. sqlite:///data/sachstand.db") from None
        return value


class WebSection(_Section):
    """Built-in web server (calendar feeds, Slack HTTP events, downloads)."""

    enabled: bool = Field(True, description="Start the web server.")
    host: str = Field("127.0.0.1", min_length=1, description="Address to bind to.")
    port: int = Field(8080, ge=0, le=65535, description="TCP port; 0 picks any free port.")
    public_base_url: HttpUrl = Field("http://127.0.0.1:8080", description="URL under which users reach the server.")
    open_data_license: HttpUrl = Field("https://www.govdata.de/dl-de/zero-2-0",
                                       description="Licence of the open data (OParl, feed, JSON), as a URL.")
    header_timeout: float = Field(15, gt=0, le=3600, description="Seconds a client has to send a request's "
                                  "headers (and an idle connection stays open).")
    body_timeout: float = Field(30, gt=0, le=3600, description="Seconds a client has to send a request's "
                                "body once its headers are in (the form, Slack's events).")
    metrics_from: list[str] = Field(["127.0.0.1", "::1"], description="Addresses that may read /metrics; "
                                    "everyone else gets 404. [] = nobody, [\"*\"] = everyone.")

    @field_validator("metrics_from")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        import ipaddress

        for entry in value:
            if entry != "*":
                try:
                    ipaddress.ip_network(entry, strict=False)
                except ValueError:
                    raise ValueError(f"keine IP-Adresse oder kein Netz: {entry[:60]!r}") from None
        return value


class ConsoleSection(_Section):
    """Interactive console transport (local testing, demos)."""

    enabled: bool = Field(True, description="Offer the console transport.")
    user: Handle = Field("koordination", description="Handle of the person you speak as at start.")
    place: Place = Field("dm", description='"dm" or a room like "#eg-bildung".')
    color: bool = Field(False, description="Use ANSI colours.")


class MatrixSection(_Section):
    """Matrix transport."""

    enabled: bool = Field(False, description="Connect to Matrix.")
    homeserver: OptionalHttpUrl = Field("", description="Homeserver URL, e.g. https://matrix.example.org.")
    user_id: MatrixUserId = Field("", description='Bot account, "@bot:server".')
    password: SecretStr | None = Field(None, description="Login password (or use access_token).")
    access_token: SecretStr | None = Field(None, description="Access token (or use password).")
    device_name: str = Field("Sachstand", description="Device name shown in sessions.")
    store_path: Path = Field(Path("data/matrix-store"), description="Directory for the encryption store.")
    command_prefix: str = Field("!sachstand", min_length=1, description="Command prefix in rooms.")
    command_alias: str = Field("!s", description="Short alias for command_prefix; '' disables.")
    allowed_inviters: list[Inviter] = Field(
        default_factory=list, description='Who may invite the bot: user ids "@a:b" or server names "b"; [] = anyone.'
    )
    encryption: bool = Field(True, description="Support end-to-end encrypted rooms.")
    trust_policy: Literal["tofu", "all", "verified"] = Field("tofu", description="Which devices to trust.")

    @model_validator(mode="after")
    def _complete_when_enabled(self) -> MatrixSection:
        if not self.enabled:
            return self
        required = ("homeserver", "user_id")
        problems = [(key, "erforderlich, wenn matrix.enabled = true") for key in required if not getattr(self, key)]
        if not (_has_secret(self.password) or _has_secret(self.access_token)):
            problems.append(("password", "password oder access_token erforderlich, wenn matrix.enabled = true"))
        if problems:
            raise FieldProblem(*problems)
        return self


class SlackSection(_Section):
    """Slack transport."""

    enabled: bool = Field(False, description="Connect to Slack.")
    bot_token: SecretStr | None = Field(None, description="Bot token (xoxb-…).")
    signing_secret: SecretStr | None = Field(None, description="Signing secret; needed in http mode.")
    app_token: SecretStr | None = Field(None, description="App-level token (xapp-…); needed in socket mode.")
    mode: Literal["http", "socket"] = Field("http", description="Events via HTTP requests or Socket Mode.")
    api_base_url: Annotated[HttpUrl, _matching(r".*/", "Die URL muss mit / enden.")] = Field(
        "https://slack.com/api/", description="Web API base URL (ends with '/')."
    )
    slash_command: SlashCommand = Field("/sachstand", description="Slash command name.")

    @model_validator(mode="after")
    def _complete_when_enabled(self) -> SlackSection:
        if not self.enabled:
            return self
        # http mode verifies requests with the signing secret; socket mode connects with the app token.
        needed = ["bot_token", "signing_secret" if self.mode == "http" else "app_token"]
        problems = [
            (key, f"erforderlich, wenn slack.enabled = true (mode = {self.mode})")
            for key in needed
            if not _has_secret(getattr(self, key))
        ]
        if problems:
            raise FieldProblem(*problems)
        return self


class RolesSection(_Section):
    """Who has which role."""

    coordinators: list[Coordinator] = Field(
        default_factory=lambda: ["koordination"],
        description="Person handles or identities console:<id>, matrix:@user:server, slack:U….",
    )


class RoundsSection(_Section):
    """Reporting rounds ("Sachstandsabfragen")."""

    lead_days: int = Field(14, ge=1, le=120, description="Days between opening a round and its deadline.")
    auto_open: bool = Field(True, description="Open rounds by themselves from the reporting lines' cadence.")
    reminder_days: list[ReminderDay] = Field(
        default_factory=lambda: [7, 2, 0], description="Remind this many days before the deadline."
    )
    plausibility_factor: float = Field(
        3.0, gt=1, le=1000, description="Ask before saving a metric value that changes by more than this factor."
    )


class MeetingsSection(_Section):
    """Meeting scheduling."""

    reminder_days: list[ReminderDay] = Field(
        default_factory=lambda: [7, 1], description="Remind this many days before a meeting."
    )
    office_hours_start: time = Field(time(9, 0), description="Earliest start of proposed slots.")
    office_hours_end: time = Field(time(16, 0), description="Latest end of proposed slots.")
    slot_minutes: int = Field(90, ge=15, le=600, description="Length of a proposed slot in minutes.")
    candidates: int = Field(5, ge=1, le=20, description="Number of slots proposed in a poll.")
    blackout: list[Blackout] = Field(
        default_factory=lambda: ["24.12.-01.01."],
        description="Periods without meetings: every year \"24.12.-01.01.\" or once \"29.03.2027-09.04.2027\".")
    minutes_reminder_days: int = Field(7, ge=1, le=60, description="Remind the chair of missing minutes after days.")
    minutes_office_days: int = Field(14, ge=1, le=120, description="Tell the office of missing minutes after days.")

    @model_validator(mode="after")
    def _hours_in_order(self) -> MeetingsSection:
        if self.office_hours_end <= self.office_hours_start:
            raise FieldProblem(("office_hours_end", "muss nach office_hours_start liegen"))
        return self


class DigestsSection(_Section):
    """Periodic summary messages."""

    schedule: Literal["off", "weekly", "monthly"] = Field("monthly", description="How often digests are sent.")
    weekday: int = Field(0, ge=0, le=6, description="Weekday for digests, 0 = Monday.")
    hour: int = Field(8, ge=0, le=23, description="Local hour for digests.")
    report_format: Literal["pdf", "html"] = Field(
        "pdf", description="The file a report is delivered as along a reporting line: pdf (PDF/UA-1) or html.")


class PrivacySection(_Section):
    """Data protection (GDPR): how long free-text answers are kept."""

    answer_retention_days: int = Field(
        730, ge=0, le=36500,
        description="Days after a round closed when its free-text answers are blanked (0 = keep them).")


CONSENT_NOTICE = (
    "Ich willige ein, dass die Stadt meine Frage und – falls angegeben – meinen Namen und meine "
    "E-Mail-Adresse verarbeitet, um die Frage zu prüfen, zu beantworten und mit der Antwort zu "
    "veröffentlichen (Art. 6 Abs. 1 lit. a DSGVO). Die E-Mail-Adresse wird nie veröffentlicht und "
    "gelöscht, sobald die Frage beantwortet ist. Ich kann die Einwilligung jederzeit widerrufen."
)
CONSENT_NOTICE_EN = (
    "I agree that the city processes my question and – if given – my name and e-mail address to review "
    "and answer the question and to publish it with the answer (Art. 6(1)(a) GDPR). The e-mail address is "
    "never published and is deleted once the question is answered. I can withdraw my consent at any time."
)


class QuestionsSection(_Section):
    """Questions and comments from the public status page, moderated from chat."""

    enabled: bool = Field(True, description="Show the form on the public pages and accept submissions.")
    consent_notice: str = Field(CONSENT_NOTICE, min_length=10, description="Data-protection notice the author must agree to.")
    consent_notice_en: str = Field(CONSENT_NOTICE_EN, min_length=10,
                                   description="The same notice on the English pages (/en/): consent must be informed.")
    max_text: int = Field(2000, ge=50, le=20000, description="Longest question or comment, in characters.")
    max_name: int = Field(100, ge=10, le=200, description="Longest name, in characters.")
    rate_limit: int = Field(5, ge=1, le=1000, description="Submissions per sender address within rate_window_minutes.")
    rate_window_minutes: int = Field(60, ge=1, le=10080, description="Window of the rate limit, in minutes.")
    email_retention_days: int = Field(90, ge=1, le=3650, description="Delete e-mail addresses after this many days at the latest.")
    notify_body_rooms: bool = Field(True, description="Also post a submission to the responsible body's room.")
    forwarded_for: bool = Field(False, description="Take the sender address from X-Forwarded-For (only behind your own proxy).")
    form_url: OptionalHttpUrl = Field("", description="Where the form posts in the static export; '' = public_base_url + /fragen.")
    secret: SecretStr | None = Field(None, description="Key for form tokens and address hashes; unset = generated and kept in the database.")


class LoggingSection(_Section):
    """Log output."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Minimum log level.")
    format: Literal["text", "json"] = Field("text", description="Plain text or one JSON object per line.")

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class OutboxSection(_Section):
    """Delivery of outgoing messages (bot/outbox.py)."""

    lanes: int = Field(8, ge=1, le=64, description="Messages in flight at once per transport, each in a different "
                       "conversation; 1 = strictly one at a time.")


class ClusterSection(_Section):
    """Several processes on one PostgreSQL database: one leads, the others stand by."""

    lock_key: int = Field(
        0x53414348, ge=1, le=2**62, description="PostgreSQL advisory lock id of the leader (same in every process)."
    )
    poll_seconds: float = Field(2.0, gt=0, le=60, description="How often a standby tries to become leader.")
    keepalive_seconds: float = Field(5.0, gt=0, le=60, description="How often the leader checks its lock connection.")
    dead_after_seconds: int = Field(
        20, ge=4, le=600, description="After this long without an answer a lock connection counts as dead."
    )


# --- settings ------------------------------------------------------------------
