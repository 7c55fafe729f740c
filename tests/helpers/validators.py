"""Independent validators the standards tests drive (tests/standards, tests/js):

- the Nu Html Checker (vnu.jar, Java) over many files in one JVM (it is slow to start);
- Atom: RFC 4287's RELAX NG grammar (appendix B, tests/standards/atom.rng, converted from
  atom.rnc by trang) with lxml, plus the grammar's Schematron rules (atom.sch) — feedparser
  does not check those (feed or entry author, link or content);
- ical.js (as web calendars read a file: its VTIMEZONEs registered) for each event's UTC times.
"""
from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from lxml import etree, isoschematron

from .peers import JS_DIR, need_node, need_vnu

STANDARDS = Path(__file__).resolve().parents[1] / "standards"


def vnu(files: list[Path]) -> list[dict[str, Any]]:
    """Every message of the Nu Html Checker for the files (errors have type "error")."""
    java, jar = need_vnu()
    done = subprocess.run([java, "-jar", str(jar), "--format", "json", "--also-check-svg", *map(str, files)],
                          capture_output=True, text=True, timeout=600)
    return json.loads(done.stderr or done.stdout or '{"messages": []}')["messages"]


def vnu_version() -> str:
    java, jar = need_vnu()
    return subprocess.run([java, "-jar", str(jar), "--version"], capture_output=True, text=True,
                          timeout=120).stdout.strip()


def html_errors(files: list[Path]) -> list[str]:
    """The checker's errors for the files, []: valid. A canary with a known error goes with them, so
    that a checker that read nothing (it skips missing files without a word) cannot pass."""
    missing = [f for f in files if not f.is_file()]
    assert not missing, missing
    with tempfile.TemporaryDirectory() as tmp:
        canary = Path(tmp) / "canary.html"
        canary.write_text('<!DOCTYPE html><html lang="de"><head><title>c</title></head>'
                          '<body><p id="x"></p><p id="x"></p></body></html>')
        messages = vnu([*files, canary])
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error") or m.get("subType") == "fatal"]
    sung = [m for m in errors if m.get("url", "").endswith("/canary.html")]
    assert sung and "Duplicate ID" in sung[0].get("message", ""), "the Nu Html Checker did not run"
    return [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')} [{m.get('extract', '')[:80]}]"
            for m in errors if m not in sung]


def atom_errors(data: bytes) -> list[str]:
    """RELAX NG (RFC 4287 appendix B) and its Schematron rules; [] for a valid feed."""
    doc = etree.fromstring(data)
    grammar = etree.RelaxNG(etree.parse(str(STANDARDS / "atom.rng")))
    rules = isoschematron.Schematron(etree.parse(str(STANDARDS / "atom.sch")), store_report=True)
    errors = [] if grammar.validate(doc) else [f"{e.line}: {e.message}" for e in grammar.error_log]
    if not rules.validate(doc):
        ns = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
        errors += [f"{f.get('location')}: {' '.join(f.xpath('string(svrl:text)', namespaces=ns).split())}"
                   for f in rules.validation_report.xpath("//svrl:failed-assert", namespaces=ns)]
    return errors


def ical_js(files: list[Path]) -> dict[str, list[dict[str, Any]]]:
    """Per file: each VEVENT's uid, zone and UTC start and end as ical.js reads them."""
    node = need_node()
    done = subprocess.run([node, str(JS_DIR / "checks" / "ical_starts.mjs"), *map(str, files)], cwd=JS_DIR,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def ical_js_version() -> str:
    return json.loads((JS_DIR / "node_modules" / "ical.js" / "package.json").read_text())["version"]
