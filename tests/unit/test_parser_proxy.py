"""Proxy parsers: waagent.conf, environments, systemd drop-ins, no_proxy, WinHTTP and WinINet."""

from __future__ import annotations

import struct
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.parsers import proxy as px

DATA = Path(__file__).resolve().parents[1] / "data"
WS, IMDS = "168.63.129.16", "169.254.169.254"


def read(sub: str, name: str) -> str:
    return (DATA / sub / name).read_text(encoding="utf-8")


def blob(flags: int, proxy: bytes, bypass: bytes, version: int = 0x28) -> bytes:
    return (struct.pack("<III", version, 7, flags) + struct.pack("<I", len(proxy)) + proxy
            + struct.pack("<I", len(bypass)) + bypass)


# -- waagent.conf --------------------------------------------------------------------------

def test_waagent_conf_fixture_has_proxy_commented_out() -> None:
    out = px.parse_waagent_proxy(read("linux", "waagent.conf"))
    assert out == {"host": None, "port": None, "port_raw": None, "lines": []}


def test_waagent_conf_proxy_set_like_the_agent_reads_it() -> None:
    text = ("#HttpProxy.Host=ignored\n"
            "HttpProxy.Host = \"10.0.0.5\"  # our proxy\n"
            "HttpProxy.Port=3128\n")
    out = px.parse_waagent_proxy(text)
    assert out["host"] == "10.0.0.5"
    assert out["port"] == 3128
    assert len(out["lines"]) == 2


def test_waagent_conf_none_and_bad_port() -> None:
    assert px.parse_waagent_proxy("HttpProxy.Host=None\n")["host"] is None
    out = px.parse_waagent_proxy("HttpProxy.Host=proxy\nHttpProxy.Port=abc\n")
    assert out["host"] == "proxy" and out["port"] is None and out["port_raw"] == "abc"


def test_waagent_conf_lines_mask_credentials() -> None:
    out = px.parse_waagent_proxy("HttpProxy.Host=bob:hunter2@proxy\n")
    assert "hunter2" not in str(out["lines"])


# -- environments --------------------------------------------------------------------------

def test_parse_environ_keeps_only_proxy_variables() -> None:
    text = "PATH=/usr/bin\x00http_proxy=http://10.0.0.5:3128\x00NO_PROXY=localhost\x00SECRET=x\x00broken\x00"
    assert px.parse_environ(text) == {"http_proxy": "http://10.0.0.5:3128", "NO_PROXY": "localhost"}


def test_parse_env_file() -> None:
    text = ('# comment\nexport http_proxy="http://10.0.0.5:3128"\nno_proxy=\'localhost,168.63.129.16\'\n'
            'bad line\nPATH=/bin\n')
    out = px.parse_env_file(text)
    assert out["http_proxy"] == "http://10.0.0.5:3128"
    assert out["no_proxy"] == "localhost,168.63.129.16"
    assert out["PATH"] == "/bin"


def test_parse_systemd_environment_quoting_reset_and_files() -> None:
    text = ("[Service]\n"
            "Environment=FOO=1\n"
            "Environment=\n"
            "Environment=\"http_proxy=http://10.0.0.5:3128\" no_proxy=localhost \\\n"
            "  \"https_proxy=http://10.0.0.5:3129\"\n"
            "EnvironmentFile=-/etc/default/walinuxagent\n")
    out = px.parse_systemd_environment(text)
    assert out["env"] == {"http_proxy": "http://10.0.0.5:3128", "no_proxy": "localhost",
                          "https_proxy": "http://10.0.0.5:3129"}
    assert out["environment_files"] == ["/etc/default/walinuxagent"]


def test_parse_systemd_environment_unbalanced_quotes() -> None:
    out = px.parse_systemd_environment('Environment="http_proxy=http://p:1\n')
    assert out["env"] == {"http_proxy": "http://p:1"}


# -- no_proxy --------------------------------------------------------------------------------

def test_no_proxy_plain_ip_cidr_and_star() -> None:
    assert px.no_proxy_bypasses(px.no_proxy_entries("localhost, 168.63.129.16"), WS)
    assert px.no_proxy_bypasses(px.no_proxy_entries("168.63.0.0/16"), WS)
    assert not px.no_proxy_bypasses(px.no_proxy_entries("168.63.0.0/16"), IMDS)
    assert px.no_proxy_bypasses(["*"], IMDS)
    # the agent's rules: no suffix matching for IP hosts, mask must be 1..32
    assert not px.no_proxy_bypasses([".129.16"], WS)
    assert not px.no_proxy_bypasses(["0.0.0.0/0"], WS)
    assert not px.no_proxy_bypasses(["168.63.0.0/33"], WS)
    assert px.no_proxy_bypasses(["azure.internal"], "metadata.azure.internal")


def test_env_proxy_view_prefers_lower_case_and_masks() -> None:
    view = px.env_proxy_view({"http_proxy": "http://u:pw@a:1", "HTTP_PROXY": "http://b:2",
                              "NO_PROXY": "169.254.169.254"}, (WS, IMDS))
    assert view["http_proxy"] == "http://u:***@a:1"
    assert view["credentials"] is True
    assert view["bypass"] == {WS: False, IMDS: True}


def test_env_proxy_view_https_only_and_all_proxy() -> None:
    view = px.env_proxy_view({"https_proxy": "http://a:1"}, (WS,))
    assert view["http_proxy"] is None and view["other"] == {"https_proxy": "http://a:1"}
    assert px.env_proxy_view({"ALL_PROXY": "socks5://a:1"}, (WS,))["http_proxy"] == "socks5://a:1"


def test_merged_no_proxy() -> None:
    assert px.merged_no_proxy("localhost, 168.63.129.16", (WS, IMDS)) == f"localhost,{WS},{IMDS}"
    assert px.merged_no_proxy(None, (WS, IMDS)) == f"{WS},{IMDS}"


def test_mask_credentials() -> None:
    assert px.mask_credentials("http://bob:s3cret@proxy:3128") == "http://bob:***@proxy:3128"
    assert px.mask_credentials("bob:s3cret@proxy:3128") == "bob:***@proxy:3128"
    assert px.mask_credentials("proxy:3128") == "proxy:3128"
    assert px.has_credentials("bob:x@proxy") and not px.has_credentials("proxy:3128")


# -- WinHTTP ---------------------------------------------------------------------------------

def test_winhttp_defaults_are_direct() -> None:
    for value in ("1800000000000000010000000000000000000000", "2800000000000000010000000000000000000000"):
        out = px.decode_winhttp_settings(value)
        assert out["ok"] and out["direct"] and out["proxy"] == ""


def test_winhttp_proxy_blob_in_every_form() -> None:
    raw = blob(3, b"10.0.0.5:3128", b"<local>;168.63.129.16")
    spaced = " ".join(f"{b:02x}" for b in raw)
    reg_style = "hex:" + ",".join(f"{b:02x}" for b in raw)
    for value in (raw.hex(), raw.hex().upper(), spaced, reg_style, list(raw), raw):
        out = px.decode_winhttp_settings(value)
        assert out["ok"], value
        assert out["direct"] is False
        assert out["proxy"] == "10.0.0.5:3128"
        assert out["bypass"] == "<local>;168.63.129.16"


def test_winhttp_malformed() -> None:
    assert px.decode_winhttp_settings("zz")["error"] == "not a binary value"
    assert px.decode_winhttp_settings("18000000")["error"] == "too short"
    cut = blob(3, b"10.0.0.5:3128", b"")[:20]
    assert px.decode_winhttp_settings(cut.hex())["ok"] is False
    assert px.decode_winhttp_settings(cut.hex())["error_msg"] == {"id": "the proxy text is cut short", "params": {}}
    assert px.decode_winhttp_settings(None)["ok"] is False


def test_netsh_japanese_fixture_is_direct() -> None:
    out = px.parse_netsh_winhttp(read("windows", "netsh_winhttp_show_proxy_ja_direct.txt"))
    assert out == {"direct": True, "proxy": "", "bypass": ""}


def test_netsh_with_proxy_english_and_japanese() -> None:
    en = ("\r\nCurrent WinHTTP proxy settings:\r\n\r\n    Proxy Server(s) :  10.0.0.5:3128\r\n"
          "    Bypass List     :  <local>;168.63.129.16\r\n\r\n")
    assert px.parse_netsh_winhttp(en) == {"direct": False, "proxy": "10.0.0.5:3128",
                                          "bypass": "<local>;168.63.129.16"}
    ja = ("現在の WinHTTP プロキシ設定:\n\n"
          "    プロキシ サーバー:  http=10.0.0.5:80;https=10.0.0.5:443\n"
          "    バイパス一覧      :  (なし)\n")
    out = px.parse_netsh_winhttp(ja)
    assert out == {"direct": False, "proxy": "http=10.0.0.5:80;https=10.0.0.5:443", "bypass": ""}


def test_proxy_for_http_per_scheme() -> None:
    assert px.proxy_for_http("10.0.0.5:3128") == "10.0.0.5:3128"
    assert px.proxy_for_http("http=a:80;https=b:443") == "a:80"
    assert px.proxy_for_http("https=b:443") is None
    assert px.proxy_for_http("socks=s:1080") == "s:1080"
    assert px.proxy_for_http("") is None


def test_windows_bypass_patterns() -> None:
    assert px.windows_bypasses("<local>;168.63.*;169.254.169.254", WS)
    assert px.windows_bypasses("<local>;168.63.*;169.254.169.254", IMDS)
    assert not px.windows_bypasses("<local>", WS)
    assert px.windows_bypasses("<local>", "intranetbox")
    assert px.windows_bypasses("http://168.63.129.16", WS)
    assert px.windows_bypasses("*.16", WS)
    assert not px.windows_bypasses("168.63.129.1", WS)
    assert px.merged_bypass(None, (WS, IMDS)) == f"<local>;{WS};{IMDS}"
    assert px.merged_bypass("*.corp;168.63.129.16", (WS, IMDS)) == f"*.corp;{WS};{IMDS}"


def test_glob_match() -> None:
    assert px.glob_match("*", "")
    assert px.glob_match("1?8.*.16", "168.63.129.16")
    assert not px.glob_match("a*b", "ac")


# -- hostile input ---------------------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(st.text(max_size=3000))
def test_text_parsers_never_raise(text: str) -> None:
    px.parse_waagent_proxy(text)
    px.parse_environ(text)
    px.parse_env_file(text)
    px.parse_systemd_environment(text)
    px.parse_netsh_winhttp(text)
    px.decode_winhttp_settings(text)
    px.proxy_for_http(text)
    px.mask_credentials(text)
    entries = px.no_proxy_entries(text)
    px.no_proxy_bypasses(entries, WS)
    px.no_proxy_bypasses(entries, "name.example")
    px.windows_bypasses(text, WS)
    px.env_proxy_view({"http_proxy": text, "no_proxy": text}, (WS, IMDS))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=600))
def test_winhttp_blob_never_raises(data: bytes) -> None:
    out = px.decode_winhttp_settings(data)
    assert set(out) >= {"ok", "direct", "proxy", "bypass"}
    px.decode_winhttp_settings(data.hex())


def test_huge_and_pathological_input_is_bounded() -> None:
    start = time.monotonic()
    px.glob_match("*" * 5000 + "x", "a" * 5000)
    px.windows_bypasses(";".join(["*a*b*c*d*"] * 2000), WS)
    px.parse_systemd_environment("Environment=" + "\"a=b\" " * 100_000)
    px.parse_environ("http_proxy=" + "x" * 3_000_000)
    px.mask_credentials("a:b@" * 200_000)
    assert time.monotonic() - start < 10


def test_unicode_digits_in_cidr_masks() -> None:
    assert not px.no_proxy_bypasses(["168.63.0.0/²"], WS)
    assert not px.no_proxy_bypasses(["168.63.0.0/١٦"], WS)
