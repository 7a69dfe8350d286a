"""WinINet's DefaultConnectionSettings blob, decoded from the bytes the registry probe gives (hex).

The blobs are built from the documented INTERNET_PER_CONN_FLAGS values (Microsoft Learn,
INTERNET_PER_CONN_OPTION) in the length-prefixed layout described in wizard/parsers/wininet.py;
the first one is the bytes of a fresh profile with only "Automatically detect settings" on."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from wizard.parsers import wininet

# version 0x46, counter 3, flags 0x09 (direct + auto-detect), empty proxy, bypass and script URL
FRESH_AUTODETECT = "46000000030000000900000000000000000000000000000000000000" + "00" * 32


def test_a_fresh_profile_is_direct_with_auto_detect() -> None:
    found = wininet.decode_connection_settings(FRESH_AUTODETECT)
    assert found["ok"] is True and found["flags"] == 0x09
    assert (found["manual"], found["auto_config"], found["auto_detect"], found["direct"]) == (False, False, True, False)


def test_manual_proxy_with_bypass_and_script() -> None:
    value = wininet.encode_connection_settings(0x1 | 0x2 | 0x4, "proxy.corp:8080", "<local>;*.corp",
                                               "http://proxy.corp/wpad.dat")
    found = wininet.decode_connection_settings(value.hex().upper())
    assert (found["proxy"], found["bypass"], found["pac_url"]) == ("proxy.corp:8080", "<local>;*.corp",
                                                                   "http://proxy.corp/wpad.dat")
    assert found["manual"] and found["auto_config"] and not found["auto_detect"]


def test_a_proxy_that_is_switched_off_is_direct() -> None:
    found = wininet.decode_connection_settings(list(wininet.encode_connection_settings(0x1, "proxy.corp:8080")))
    assert found["manual"] is False and found["direct"] is True and found["proxy"] == "proxy.corp:8080"


def test_cut_or_foreign_values_say_why() -> None:
    assert wininet.decode_connection_settings(12)["error"] == "not a binary value"
    assert wininet.decode_connection_settings("4600")["error"] == "too short"
    assert wininet.decode_connection_settings("460000000100000003000000ff000000")["error"] == "proxy string cut short"
    assert wininet.decode_connection_settings("not hex")["error"] == "not a binary value"


@given(st.binary(max_size=300))
def test_hostile_bytes_never_raise(data: bytes) -> None:
    found = wininet.decode_connection_settings(data)
    assert found["ok"] in (True, False)
    if found["ok"]:
        assert isinstance(found["flags"], int) and isinstance(found["proxy"], str)
