"""libical's iTIP restriction check (RFC 5546 tables: which properties a METHOD:REQUEST,
CANCEL or PUBLISH must and must not carry), driven through ctypes: Debian's libical3
(`icalrestriction_check` marks each violation as an X-LIC-ERROR property)."""
from __future__ import annotations

import ctypes
import ctypes.util
import re

import pytest

_lib: ctypes.CDLL | None = None


def available() -> bool:
    try:
        ctypes.CDLL(ctypes.util.find_library("ical") or "libical.so.3")
    except OSError:
        return False
    return True


def need_libical() -> ctypes.CDLL:
    global _lib
    if _lib is None:
        name = ctypes.util.find_library("ical") or "libical.so.3"
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            pytest.skip("libical not installed (Debian libical3; `make peers` as root installs it)")
        lib.icalparser_parse_string.restype = ctypes.c_void_p
        lib.icalparser_parse_string.argtypes = [ctypes.c_char_p]
        lib.icalrestriction_check.restype = ctypes.c_int
        lib.icalrestriction_check.argtypes = [ctypes.c_void_p]
        lib.icalcomponent_as_ical_string.restype = ctypes.c_char_p
        lib.icalcomponent_as_ical_string.argtypes = [ctypes.c_void_p]
        lib.icalcomponent_free.argtypes = [ctypes.c_void_p]
        _lib = lib
    return _lib


def restriction_errors(data: bytes) -> list[str]:
    """libical's X-LIC-ERROR texts for one calendar (parse errors included); [] when valid."""
    lib = need_libical()
    comp = lib.icalparser_parse_string(data)
    if not comp:
        return ["libical could not parse the calendar"]
    try:
        valid = lib.icalrestriction_check(comp)
        text = lib.icalcomponent_as_ical_string(comp).decode()
    finally:
        lib.icalcomponent_free(comp)
    errors = re.findall(r"^X-LIC-ERROR[^:]*:(.*(?:\r?\n .*)*)", text, re.M)
    errors = [re.sub(r"\r?\n ", "", e).strip() for e in errors]
    if not valid and not errors:
        errors = ["icalrestriction_check failed"]
    return errors
