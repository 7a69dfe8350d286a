"""`net.proxy` on Linux and Windows, run through the runner against FakeSystem VMs."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from wizard import runner
from wizard.checks.facts import AZURE_ASSET_TAG, WINDOWS_ASSET_TAG_COMMAND
from wizard.checks.net import proxy
from wizard.checks.registry import ALL_CHECKS
from wizard.model import CheckResult, Status
from wizard.parsers import wininet
from wizard.probes.base import Answer, unavailable
from wizard.probes.fake import FakeFile, FakeSystem

DATA = Path(__file__).resolve().parents[1] / "data"
WS, IMDS = "168.63.129.16", "169.254.169.254"
DROPIN = "/etc/systemd/system/walinuxagent.service.d"
EXTHANDLER = "python3 -u bin/WALinuxAgent-2.9.1.1-py3.8.egg -run-exthandlers"
DAEMON = "/usr/bin/python3 -u /usr/sbin/waagent -daemon"
NETSH_EN_PROXY = ("Current WinHTTP proxy settings:\r\n\r\n    Proxy Server(s) :  10.0.0.5:3128\r\n"
                  "    Bypass List     :  (none)\r\n")


def read(sub: str, name: str) -> str:
    return (DATA / sub / name).read_text(encoding="utf-8")


def linux_vm(admin: bool = True, azure: bool = True, environ: str | None = "PATH=/usr/bin\x00",
             **files: Any) -> FakeSystem:
    fake = FakeSystem(system="linux", is_admin=admin, user="root" if admin else "alice")
    if azure:
        fake.files["/sys/class/dmi/id/chassis_asset_tag"] = AZURE_ASSET_TAG + "\n"
    fake.files["/etc/waagent.conf"] = read("linux", "waagent.conf")
    fake.processes = [{"pid": 700, "name": "python3", "cmdline": DAEMON, "username": "root"},
                      {"pid": 812, "name": "python3", "cmdline": EXTHANDLER, "username": "root"},
                      {"pid": 900, "name": "bash", "cmdline": "bash", "username": "alice"}]
    if environ is not None:
        fake.files["/proc/812/environ"] = FakeFile(environ, readable=admin)
        fake.files["/proc/700/environ"] = FakeFile(environ, readable=admin)
    fake.files.update(files)
    return fake


def windows_vm(winhttp: Any = "1800000000000000010000000000000000000000", netsh: str | None = None,
               **registry: dict[str, Any]) -> FakeSystem:
    fake = FakeSystem(system="windows", user="Administrator")
    fake.commands[tuple(WINDOWS_ASSET_TAG_COMMAND)] = AZURE_ASSET_TAG + "\r\n"
    if winhttp is not None:
        fake.registry[proxy.WINHTTP_KEY] = {"WinHttpSettings": winhttp}
    fake.commands[tuple(proxy.NETSH_ARGV)] = netsh if netsh is not None else \
        read("windows", "netsh_winhttp_show_proxy_ja_direct.txt")
    for key, values in registry.items():
        fake.registry[{"system": proxy.SYSTEM_INET_KEY, "machine": proxy.MACHINE_INET_KEY,
                       "policy": proxy.POLICY_INET_KEY, "env": proxy.MACHINE_ENV_KEY}[key]] = values
    return fake


def run(fake: Any) -> CheckResult:
    d = runner.run(ALL_CHECKS, fake, only=["net.proxy"])
    assert len(d.results) == 1
    return d.results[0]


def winhttp_blob(proxy_server: str, bypass: str = "") -> str:
    p, b = proxy_server.encode(), bypass.encode()
    return (struct.pack("<III", 0x28, 3, 3) + struct.pack("<I", len(p)) + p + struct.pack("<I", len(b)) + b).hex()


def commands(r: CheckResult) -> list[str]:
    return [s.command for s in r.fix if s.command]


# -- Linux ----------------------------------------------------------------------------------

def test_linux_no_proxy_anywhere_is_ok() -> None:
    r = run(linux_vm())
    assert r.status is Status.OK
    assert r.summary.id.startswith("No proxy is configured for the VM agent or the system")
    assert r.evidence["sources"] == []
    assert r.evidence["looked_at"]["/etc/waagent.conf"] == "read"
    assert r.evidence["looked_at"]["/proc/812/environ"] == "read"
    assert [a["pid"] for a in r.evidence["agent_processes"]] == [812, 700]


def test_linux_non_root_says_agent_environment_unread() -> None:
    r = run(linux_vm(admin=False))
    assert r.status is Status.OK
    assert "could not be read (that needs root)" in r.summary.id
    assert r.evidence["looked_at"]["/proc/812/environ"].startswith("unreadable")


def test_linux_dropin_proxy_without_no_proxy_is_warning() -> None:
    fake = linux_vm(environ="PATH=/bin\x00http_proxy=http://bob:s3cret@10.0.0.5:3128\x00no_proxy=localhost\x00",
                    **{f"{DROPIN}/http-proxy.conf": '[Service]\nEnvironment="http_proxy=http://bob:s3cret@10.0.0.5:3128"\n'})
    r = run(fake)
    assert r.status is Status.WARNING
    assert r.error_codes == ["ExtensionSnapshotFailedNoNetwork"]
    assert r.summary.id == "A proxy is configured without an exception for {missing}: {details}."
    assert r.summary.params["missing"] == (WS, IMDS)
    assert "s3cret" not in str(r.summary.params) and "s3cret" not in str(r.evidence)
    assert "s3cret" not in str([s.to_dict() for s in r.fix])
    kinds = [s["source"] for s in r.evidence["sources"]]
    assert kinds == ["agent_process", "agent_process", "systemd_dropin"]
    [dropin_cmd, show_cmd] = commands(r)
    assert f"{DROPIN}/zz-no-proxy.conf" in dropin_cmd
    assert f'no_proxy=localhost,{WS},{IMDS}' in dropin_cmd
    assert dropin_cmd.endswith("sudo systemctl restart walinuxagent")
    assert show_cmd == "systemctl show walinuxagent --property=Environment"
    assert any("user name and password" in s.text.id for s in r.fix)
    assert r.why is not None and "never sends Wire Server" in r.why.id


def test_linux_bypassed_proxy_is_info() -> None:
    env = ("http_proxy=http://10.0.0.5:3128\x00https_proxy=http://10.0.0.5:3128\x00"
           "NO_PROXY=localhost,168.63.0.0/16,169.254.169.254\x00")
    r = run(linux_vm(environ=env))
    assert r.status is Status.INFO
    assert r.summary.id.startswith("A proxy is configured ({details})")
    assert r.evidence["sources"][0]["bypasses"] == {WS: True, IMDS: True}
    assert r.error_codes == []


def test_linux_waagent_conf_proxy_is_info_for_storage_only() -> None:
    conf = read("linux", "waagent.conf") + "\nHttpProxy.Host=10.0.0.5\n"
    r = run(linux_vm(**{"/etc/waagent.conf": conf}))
    assert r.status is Status.INFO
    assert "HttpProxy in /etc/waagent.conf" in r.summary.id
    assert r.summary.params == {"proxy": "10.0.0.5"}
    [src] = r.evidence["sources"]
    assert src["source"] == "waagent_conf" and "port_note" in src


def test_linux_etc_environment_and_environment_file() -> None:
    fake = linux_vm(**{
        "/etc/environment": 'PATH="/usr/bin"\nhttp_proxy=http://10.0.0.5:3128\n',
        f"{DROPIN}/env.conf": "[Service]\nEnvironmentFile=-/etc/default/agent-proxy\n",
        "/etc/default/agent-proxy": "http_proxy=http://10.0.0.6:3128\nno_proxy=168.63.129.16\n",
    })
    r = run(fake)
    assert r.status is Status.WARNING
    by_kind = {s["source"]: s for s in r.evidence["sources"]}
    assert by_kind["systemd_dropin"]["proxy"] == "http://10.0.0.6:3128"
    assert by_kind["systemd_dropin"]["bypasses"] == {WS: True, IMDS: False}
    assert by_kind["etc_environment"]["bypasses"] == {WS: False, IMDS: False}
    assert r.summary.params["missing"] == (WS, IMDS)
    assert "sudoedit /etc/environment" in commands(r)
    assert any(f"no_proxy={WS},{IMDS}" in c for c in commands(r))


def test_linux_unit_name_falls_back_to_service_probe() -> None:
    fake = linux_vm(environ="http_proxy=http://10.0.0.5:3128\x00")
    r = run(fake)
    assert r.status is Status.WARNING
    assert "waagent.service.d" in commands(r)[0] and "restart waagent" in commands(r)[0]
    fake.services["walinuxagent"] = {"state": "running"}
    assert "restart walinuxagent" in commands(run(fake))[0]


def test_linux_https_only_proxy_is_info() -> None:
    r = run(linux_vm(environ="https_proxy=http://10.0.0.5:3128\x00"))
    assert r.status is Status.INFO
    assert "https_proxy=http://10.0.0.5:3128" in r.summary.params["details"]


def test_linux_only_tool_environment() -> None:
    fake = linux_vm()
    fake.proxy_vars = {"HTTP_PROXY": "http://u:pw@10.0.0.9:8080", "PROXY_PASSWORD": "pw"}
    r = run(fake)
    assert r.status is Status.INFO
    assert r.summary.params == {"proxy": "http://u:***@10.0.0.9:8080"}
    assert "pw@" not in str(r.evidence)


class Unavailable:
    """Answers the platform/elevation/is-Azure facts from a FakeSystem and nothing else."""

    def __init__(self, inner: FakeSystem) -> None:
        self.inner = inner

    def call(self, probe: str, /, **args: Any) -> Answer:
        if probe in ("platform", "elevation") or (probe == "read_file" and "chassis" in args.get("path", "")) or \
                (probe == "run" and tuple(args.get("argv", ())) == tuple(WINDOWS_ASSET_TAG_COMMAND)):
            return self.inner.call(probe, **args)
        return unavailable("replay has no answer")


def test_linux_all_probes_unavailable_is_not_checked() -> None:
    r = run(Unavailable(linux_vm()))
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id.startswith("Not checked: none of the places")


def test_not_applicable_off_azure() -> None:
    r = run(linux_vm(azure=False))
    assert r.status is Status.NOT_CHECKED
    assert r.evidence == {"is_azure": False}


# -- Windows --------------------------------------------------------------------------------

def test_windows_default_direct_is_ok() -> None:
    r = run(windows_vm())
    assert r.status is Status.OK
    assert r.evidence["winhttp_settings"]["direct"] is True
    assert r.evidence["netsh_parsed"]["direct"] is True
    assert r.evidence["looked_at"][proxy.SYSTEM_INET_KEY] == "absent"


def test_windows_netsh_fallback_with_japanese_output() -> None:
    fake = windows_vm(winhttp=None)
    inner_call = fake.call

    class NoRegistry:
        def call(self, probe: str, /, **args: Any) -> Answer:
            if probe == "registry":
                return unavailable("registry not recorded")
            return inner_call(probe, **args)

    r = run(NoRegistry())
    assert r.status is Status.OK
    assert r.evidence["looked_at"]["netsh winhttp show proxy"] == "read"
    assert "直接アクセス" in r.evidence["netsh_excerpt"]


def test_windows_winhttp_proxy_without_bypass_is_warning() -> None:
    netsh = NETSH_EN_PROXY
    r = run(windows_vm(winhttp=winhttp_blob("10.0.0.5:3128"), netsh=netsh))
    assert r.status is Status.WARNING
    assert r.error_codes == ["ExtensionSnapshotFailedNoNetwork"]
    assert commands(r) == ['netsh winhttp set proxy proxy-server="10.0.0.5:3128" '
                           f'bypass-list="<local>;{WS};{IMDS}"']
    assert r.why is not None and "SYSTEM" in r.why.id
    assert "notes" not in r.evidence


def test_windows_winhttp_proxy_with_bypass_is_info() -> None:
    r = run(windows_vm(winhttp=winhttp_blob("10.0.0.5:3128", "<local>;168.63.*;169.254.169.254")))
    assert r.status is Status.INFO
    assert r.evidence["sources"][0]["source"] == "winhttp"


def test_windows_registry_and_netsh_disagree_note() -> None:
    netsh = NETSH_EN_PROXY
    r = run(windows_vm(netsh=netsh))
    assert r.status is Status.OK
    assert r.evidence["notes"] == ["WinHTTP registry value and netsh output disagree; the registry value was used"]


def test_windows_system_wininet_proxy_is_warning() -> None:
    r = run(windows_vm(system={"ProxyEnable": 1, "ProxyServer": "http=10.0.0.5:80;https=10.0.0.5:443",
                               "ProxyOverride": "*.corp"}))
    assert r.status is Status.WARNING
    [src] = r.evidence["sources"]
    assert src["source"] == "wininet_system" and src["proxy_for_http"] == "10.0.0.5:80"
    # ProxyOverride alone may not take effect: bitsadmin writes SYSTEM's DefaultConnectionSettings
    assert commands(r) == ['bitsadmin /util /setieproxy localsystem MANUAL_PROXY '
                           f'"http=10.0.0.5:80;https=10.0.0.5:443" "*.corp;{WS};{IMDS}"',
                           "bitsadmin /util /getieproxy LOCALSYSTEM"]


def test_windows_wininet_disabled_or_https_only_is_not_a_warning() -> None:
    assert run(windows_vm(system={"ProxyEnable": 0, "ProxyServer": "10.0.0.5:80"})).status is Status.OK
    r = run(windows_vm(system={"ProxyEnable": 1, "ProxyServer": "https=10.0.0.5:443"}))
    assert r.status is Status.INFO


def test_windows_machine_wide_policy_and_pac() -> None:
    r = run(windows_vm(policy={"ProxySettingsPerUser": 0},
                       machine={"ProxyEnable": 1, "ProxyServer": "10.0.0.5:3128", "ProxyOverride": "<local>"}))
    assert r.status is Status.WARNING
    assert r.evidence["sources"][0]["source"] == "wininet_machine"
    assert r.evidence["proxy_settings_per_user"] == 0
    pac = run(windows_vm(system={"AutoConfigURL": "http://wpad.corp/proxy.pac"}))
    assert pac.status is Status.WARNING
    assert pac.summary.params == {"url": "http://wpad.corp/proxy.pac"}
    assert any("FindProxyForURL" in s.text.id for s in pac.fix)


def test_windows_machine_environment_proxy() -> None:
    r = run(windows_vm(env={"Path": "C:\\Windows", "HTTP_PROXY": "http://10.0.0.5:3128", "NO_PROXY": "localhost"}))
    assert r.status is Status.WARNING
    assert commands(r) == [f'setx NO_PROXY "localhost,{WS},{IMDS}" /M',
                           "net stop WindowsAzureGuestAgent && net start WindowsAzureGuestAgent"]


def test_windows_everything_unavailable_is_not_checked() -> None:
    r = run(Unavailable(windows_vm()))
    assert r.status is Status.NOT_CHECKED


def test_windows_unreadable_system_settings_are_said() -> None:
    fake = windows_vm()
    inner_call = fake.call

    class Denied:
        def call(self, probe: str, /, **args: Any) -> Answer:
            if probe == "registry" and args.get("key") == proxy.SYSTEM_INET_KEY:
                return {"exists": False, "error": "Access is denied."}
            return inner_call(probe, **args)

    r = run(Denied())
    assert r.status is Status.OK
    assert "could not be read (that may need Administrator rights)" in r.summary.id
    assert r.evidence["looked_at"][proxy.SYSTEM_INET_KEY] == "error: Access is denied."


# -- WinINet's DefaultConnectionSettings blob (what WinINet really uses) and WPAD --------------------
# Blobs are built with the documented INTERNET_PER_CONN_FLAGS values in the layout described in
# wizard/parsers/wininet.py.

def blob(flags: int, server: str = "", bypass: str = "", pac: str = "") -> str:
    return wininet.encode_connection_settings(flags, server, bypass, pac).hex()


def with_blob(fake: FakeSystem, key: str, value: str) -> FakeSystem:
    fake.registry.setdefault(key, {})["DefaultConnectionSettings"] = value
    return fake


def test_windows_system_blob_manual_proxy_without_bypass_warns_even_with_stale_legacy_values() -> None:
    fake = with_blob(windows_vm(system={"ProxyEnable": 0}), proxy.SYSTEM_CONNECTIONS_KEY,
                     blob(wininet.PROXY_TYPE_DIRECT | wininet.PROXY_TYPE_PROXY, "10.0.0.9:8080", "<local>"))
    r = run(fake)
    assert r.status is Status.WARNING
    [src] = r.evidence["sources"]
    assert src["where"] == proxy.SYSTEM_CONNECTIONS_KEY + "\\DefaultConnectionSettings"
    assert src["proxy"] == "10.0.0.9:8080"
    assert r.evidence["notes"] == ["SYSTEM's ProxyEnable/ProxyServer values disagree with its "
                                   "DefaultConnectionSettings; DefaultConnectionSettings was used"]
    assert commands(r)[0] == (f'bitsadmin /util /setieproxy localsystem MANUAL_PROXY "10.0.0.9:8080" '
                              f'"<local>;{WS};{IMDS}"')


def test_windows_system_blob_direct_wins_over_legacy_proxy_values() -> None:
    fake = with_blob(windows_vm(system={"ProxyEnable": 1, "ProxyServer": "10.0.0.5:80"}),
                     proxy.SYSTEM_CONNECTIONS_KEY, blob(wininet.PROXY_TYPE_DIRECT))
    r = run(fake)
    assert r.status is Status.OK
    assert r.evidence["sources"] == []


def test_windows_wpad_auto_detect_alone_is_information_with_the_way_out() -> None:
    fake = with_blob(windows_vm(), proxy.SYSTEM_CONNECTIONS_KEY,
                     blob(wininet.PROXY_TYPE_DIRECT | wininet.PROXY_TYPE_AUTO_DETECT))
    r = run(fake)
    assert r.status is Status.INFO
    assert r.summary.id.startswith('No proxy is set explicitly, but "Automatically detect settings" (WPAD)')
    assert "bitsadmin /util /setieproxy localsystem NO_PROXY" in commands(r)
    assert r.evidence["wininet_system_blob"]["auto_detect"] is True


def test_windows_blob_script_url_is_a_pac() -> None:
    fake = with_blob(windows_vm(), proxy.SYSTEM_CONNECTIONS_KEY,
                     blob(wininet.PROXY_TYPE_AUTO_PROXY_URL, pac="http://proxy.corp/proxy.pac"))
    r = run(fake)
    assert r.status is Status.WARNING
    assert r.summary.params == {"url": "http://proxy.corp/proxy.pac"}


def test_windows_machine_scope_blob_when_per_user_is_off() -> None:
    fake = with_blob(windows_vm(policy={"ProxySettingsPerUser": 0}), proxy.MACHINE_CONNECTIONS_KEY,
                     blob(wininet.PROXY_TYPE_PROXY, "10.0.0.7:3128", "<local>;168.63.129.16"))
    r = run(fake)
    assert r.status is Status.WARNING
    assert r.summary.params["missing"] == (IMDS,)
    assert r.evidence["sources"][0]["source"] == "wininet_machine"
    assert "gpupdate /force" in commands(r)


def test_windows_machine_blob_is_ignored_while_settings_are_per_user() -> None:
    fake = with_blob(windows_vm(), proxy.MACHINE_CONNECTIONS_KEY, blob(wininet.PROXY_TYPE_PROXY, "10.0.0.7:3128"))
    assert run(fake).status is Status.OK
