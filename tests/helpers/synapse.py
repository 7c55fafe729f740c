"""A real Synapse homeserver (matrix-synapse from PyPI) for the tests.

Started once per test session in a fresh directory on a free loopback port, SQLite,
no federation, rate limits raised; users are registered with the shared secret.
It can be stopped and started again on the same port and data (the outage test).
Its server name is `koeln.example`, so the example catalog's Matrix identities
(`@testmann:koeln.example`, …) are real accounts here.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

SERVER_NAME = "koeln.example"
SECRET = "sachstand-test-shared-secret"
_LIMIT = {"per_second": 10000, "burst_count": 100000}
RATE_LIMITS = {
    "rc_message": _LIMIT, "rc_registration": _LIMIT,
    "rc_login": {"address": _LIMIT, "account": _LIMIT, "failed_attempts": _LIMIT},
    "rc_joins": {"local": _LIMIT, "remote": _LIMIT}, "rc_joins_per_room": _LIMIT,
    "rc_invites": {"per_room": _LIMIT, "per_user": _LIMIT, "per_issuer": _LIMIT},
    "rc_room_creation": _LIMIT, "rc_3pid_validation": _LIMIT, "rc_key_requests": _LIMIT,
    "rc_admin_redaction": _LIMIT, "rc_media_create": _LIMIT, "rc_presence": {"per_user": _LIMIT},
    "rc_delayed_event_mgmt": _LIMIT, "rc_reports": _LIMIT, "rc_user_directory": _LIMIT,
    "rc_profile": _LIMIT,
}  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Synapse:
    def __init__(self, directory: Path, port: int | None = None, rate_limits: bool = False) -> None:
        self.dir = directory
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.rate_limits = rate_limits  # True: Synapse's defaults (for a benchmark of them)
        self.proc: subprocess.Popen[bytes] | None = None
        self.config = directory / "homeserver.yaml"

    # -- lifecycle ---------------------------------------------------------------------
    def setup(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        config = {
            "server_name": SERVER_NAME, "pid_file": str(self.dir / "homeserver.pid"),
            "listeners": [{"port": self.port, "bind_addresses": ["127.0.0.1"], "type": "http", "tls": False,
                           "x_forwarded": False, "resources": [{"names": ["client"], "compress": False}]}],
            "database": {"name": "sqlite3", "args": {"database": str(self.dir / "homeserver.db")}},
            "log_config": str(self.dir / "log.yaml"), "media_store_path": str(self.dir / "media"),
            "signing_key_path": str(self.dir / "signing.key"),
            "registration_shared_secret": SECRET, "macaroon_secret_key": "m-" + SECRET,
            "form_secret": "f-" + SECRET, "enable_registration": False, "report_stats": False,
            "presence": {"enabled": False}, "trusted_key_servers": [], "suppress_key_server_warning": True,
            "federation_domain_whitelist": [], "url_preview_enabled": False, "bcrypt_rounds": 4,
            **({} if self.rate_limits else RATE_LIMITS),
        }
        # JSON is YAML: no PyYAML quirks in the config we write.
        self.config.write_text(json.dumps(config, indent=1), encoding="utf-8")
        (self.dir / "log.yaml").write_text(
            "version: 1\nformatters: {f: {format: '%(asctime)s %(levelname)s %(name)s: %(message)s'}}\n"
            f"handlers: {{file: {{class: logging.FileHandler, formatter: f, filename: '{self.dir / 'synapse.log'}'}}}}\n"
            "root: {level: WARNING, handlers: [file]}\ndisable_existing_loggers: false\n", encoding="utf-8")
        subprocess.run([sys.executable, "-m", "synapse.app.homeserver", "--server-name", SERVER_NAME,
                        "-c", str(self.config), "--generate-keys"], check=True, capture_output=True,
                       cwd=self.dir, timeout=120)

    def start(self, timeout: float = 120) -> None:
        log = open(self.dir / "stdout.log", "ab")  # noqa: SIM115 - lives as long as the process
        self.proc = subprocess.Popen([sys.executable, "-m", "synapse.app.homeserver", "-c", str(self.config)],
                                     cwd=self.dir, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"synapse exited with {self.proc.returncode}; see {self.dir}/stdout.log")
            try:
                with urllib.request.urlopen(f"{self.url}/_matrix/client/versions", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("synapse did not become ready")

    def stop(self) -> None:
        """Stop by PID (never by name); SIGTERM, then SIGKILL if it lingers."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- users -------------------------------------------------------------------------
    def register(self, localpart: str, password: str, admin: bool = False) -> str:
        """Register a user with the shared secret (Synapse admin API); returns the user id."""
        endpoint = f"{self.url}/_synapse/admin/v1/register"
        with urllib.request.urlopen(endpoint, timeout=10) as resp:
            nonce = json.load(resp)["nonce"]
        mac = hmac.new(SECRET.encode(), digestmod=hashlib.sha1)
        mac.update(b"\x00".join([nonce.encode(), localpart.encode(), password.encode(),
                                 b"admin" if admin else b"notadmin"]))
        body = {"nonce": nonce, "username": localpart, "password": password, "admin": admin,
                "mac": mac.hexdigest()}
        request = urllib.request.Request(endpoint, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                return str(json.load(resp)["user_id"])
        except urllib.error.HTTPError as exc:
            if exc.code == 400 and b"M_USER_IN_USE" in exc.read():
                return f"@{localpart}:{SERVER_NAME}"
            raise
