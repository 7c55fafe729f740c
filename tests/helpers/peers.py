"""Where the independent peers live (tests/js, installed by `make peers`): Node.js with
matrix-js-sdk and its Rust crypto, ical.js, and the Nu Html Checker on Java.

A test that needs one calls the matching `need_*` and is skipped, with the reason, on a
machine where `make peers` could not install it (no root apt-get)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

JS_DIR = Path(__file__).resolve().parents[1] / "js"
NODE_MODULES = JS_DIR / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"


def need_node() -> str:
    node = shutil.which("node")
    if node is None or not (NODE_MODULES / ".installed").exists():
        pytest.skip("Node.js peers not installed (run `make peers` as root)")
    return node


def need_vnu() -> tuple[str, Path]:
    java = shutil.which("java")
    if java is None or not VNU_JAR.exists():
        pytest.skip("Nu Html Checker not installed (run `make peers` as root)")
    return java, VNU_JAR
