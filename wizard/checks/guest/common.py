"""What the `guest.*` checks share: the one read-only PowerShell run, its fact, documentation links.

The Windows checks of Microsoft's guest checker "VM assist" (`vmassist.ps1`, Azure/azure-support-scripts,
read at commit 04267e53; docs/vmassist-parity.md) that need more than a service or registry answer are
answered by ONE PowerShell run, computed once as the fact `guest_windows` (so five checks start one
process, not five). Each part of the script is in its own try/catch, so one failing part (WMI broken,
access denied to a SYSTEM process's modules) leaves the others. The script holds no machine data: it
is a constant, so nothing needs quoting; the paths it reads come from the environment (`$env:SystemDrive`,
`$env:ProgramData`) inside PowerShell. It only reads: `Invoke-CimMethod StdRegProv GetDWORDValue` (a
registry read through WMI, as VM assist does), `Get-ChildItem Cert:\\LocalMachine\\My`, `Get-Acl`,
`Get-Process` modules with `Get-AuthenticodeSignature`, `Get-WinEvent`. Its deadline is
`WINDOWS_TIMEOUT_S`; the CIM call has its own `-OperationTimeoutSec`.
"""

from __future__ import annotations

import functools
from typing import Any

from wizard.checks.base import CheckContext, CheckFunc, Facts, Finding, doc_link, m
from wizard.model import Status
from wizard.parsers.guest import parse_guest_windows
from wizard.probes.base import is_unavailable

WINDOWS_TIMEOUT_S = 60.0
SINCE_DAYS = 1
AGENT_PROCESSES = ("WaAppAgent", "WindowsAzureGuestAgent")
# The service names the System log's 7031/7034 events carry (their first parameter is the display name).
AGENT_SERVICE_NAMES = ("rdagent", "windows azure guest agent", "windowsazureguestagent")
AGENT_EXE_NAMES = ("waappagent.exe", "windowsazureguestagent.exe")
CRP_ISSUER = "DC=Windows Azure CRP Certificate Generator"

_STATEMENTS = [
    "$ErrorActionPreference = 'Stop'",
    "$o = [ordered]@{}",
    "$o.now = [DateTime]::UtcNow.ToString('o')",
    "try { $r = Invoke-CimMethod -ClassName StdRegProv -MethodName GetDWORDValue -OperationTimeoutSec 20 "
    "-Arguments @{ hDefKey = [uint32]2147483650; sSubKeyName = 'SYSTEM\\CurrentControlSet\\Services\\Winmgmt'; "
    "sValueName = 'Start' }; "
    "$o.stdregprov = [ordered]@{ ReturnValue = [int]$r.ReturnValue; uValue = [int]$r.uValue } } "
    "catch { $o.stdregprov_error = [string]$_ }",
    "try { $o.certs = @(Get-ChildItem -Path 'Cert:\\LocalMachine\\My' | Where-Object { $_.Issuer -eq "
    "'" + CRP_ISSUER + "' } | Select-Object -First 20 | ForEach-Object { [ordered]@{ "
    "Subject = [string]$_.Subject; Issuer = [string]$_.Issuer; FriendlyName = [string]$_.FriendlyName; "
    "Thumbprint = [string]$_.Thumbprint; NotBefore = $_.NotBefore.ToUniversalTime().ToString('o'); "
    "NotAfter = $_.NotAfter.ToUniversalTime().ToString('o'); HasPrivateKey = [bool]$_.HasPrivateKey } }) } "
    "catch { $o.certs_error = [string]$_ }",
    "$o.acls = @(foreach ($p in @((Join-Path $env:ProgramData 'Microsoft\\Crypto\\RSA\\MachineKeys'), "
    "(Join-Path $env:SystemDrive '\\WindowsAzure'), (Join-Path $env:SystemDrive '\\Packages'))) { "
    "try { [ordered]@{ Path = $p; Sddl = [string](Get-Acl -LiteralPath $p).Sddl } } "
    "catch { [ordered]@{ Path = $p; Error = [string]$_ } } })",
    "$o.modules = @(foreach ($n in @('WaAppAgent', 'WindowsAzureGuestAgent')) { "
    "$p = Get-Process -Name $n -ErrorAction SilentlyContinue | Select-Object -First 1; "
    "if (-not $p) { [ordered]@{ Process = $n; Running = $false } } else { "
    "try { $m = @($p.Modules | Where-Object { $_.Company -ne 'Microsoft Corporation' } | Select-Object -First 60 | "
    "ForEach-Object { $s = $null; try { $s = Get-AuthenticodeSignature -FilePath $_.FileName } catch { }; "
    "[ordered]@{ Name = [string]$_.ModuleName; Path = [string]$_.FileName; Company = [string]$_.Company; "
    "Version = [string]$_.FileVersionInfo.FileVersion; SignatureStatus = [string]$s.Status; "
    "Signer = [string]$s.SignerCertificate.Subject; Issuer = [string]$s.SignerCertificate.Issuer } }); "
    "[ordered]@{ Process = $n; Running = $true; Modules = $m } } "
    "catch { [ordered]@{ Process = $n; Running = $true; Error = [string]$_ } } } })",
    "try { $since = (Get-Date).AddDays(-" + str(SINCE_DAYS) + "); "
    "$e1 = @(Get-WinEvent -FilterHashtable @{ LogName = 'System'; ProviderName = 'Service Control Manager'; "
    "Id = 7031, 7034; StartTime = $since } -MaxEvents 200 -ErrorAction SilentlyContinue); "
    "$e2 = @(Get-WinEvent -FilterHashtable @{ LogName = 'Application'; ProviderName = 'Application Error'; "
    "Id = 1000; StartTime = $since } -MaxEvents 200 -ErrorAction SilentlyContinue); "
    "$o.events = @(($e1 + $e2) | ForEach-Object { [ordered]@{ Log = [string]$_.LogName; Id = [int]$_.Id; "
    "Time = $_.TimeCreated.ToUniversalTime().ToString('o'); Name = [string]$_.Properties[0].Value; "
    "Message = [string]$_.Message } }) } catch { $o.events_error = [string]$_ }",
    "ConvertTo-Json -InputObject $o -Depth 5 -Compress",
]
WINDOWS_SCRIPT = "; ".join(_STATEMENTS)
WINDOWS_ARGV = ["powershell.exe", "-NoProfile", "-NonInteractive", "-Command", WINDOWS_SCRIPT]
SHOWN_COMMAND = "powershell.exe -NoProfile -NonInteractive -Command <the guest checks script>"

NOT_CONFIRMED = "not confirmed by public documentation"

DOC_EXT_CERTS = doc_link("Troubleshoot extension certificate issues on a Windows VM in Azure",
                         "https://learn.microsoft.com/troubleshoot/azure/virtual-machines/windows/"
                         "troubleshoot-extension-certificates-issues-windows-vm")
DOC_WIN_AGENT_INSTALL = doc_link("Azure Virtual Machine Agent overview (manual installation)",
                                 "https://learn.microsoft.com/azure/virtual-machines/extensions/"
                                 "agent-windows#manual-installation")
DOC_WMI = doc_link("Winmgmt (the WMI service and its /verifyrepository switch)",
                   "https://learn.microsoft.com/windows/win32/wmisdk/winmgmt")
DOC_TLS_DOTNET = doc_link("Transport Layer Security (TLS) best practices with .NET Framework",
                          "https://learn.microsoft.com/dotnet/framework/network-programming/tls")
DOC_LINUX_AGENT_INSTALL = doc_link("Azure Linux VM Agent overview (installation)",
                                   "https://learn.microsoft.com/azure/virtual-machines/extensions/"
                                   "agent-linux#installation")
DOC_VMASSIST_LINUX = doc_link("VM assist for Linux: interpreting its report (Azure support scripts)",
                              "https://github.com/Azure/azure-support-scripts/blob/master/vmassist/linux/docs/tux.md")


def guest_windows_fact(f: Facts) -> dict[str, Any]:
    """The guest PowerShell run, parsed: `{"answer": <run answer without stdout>, "data": parsed or None}`."""
    ans = f.probe.call("run", argv=WINDOWS_ARGV, timeout=WINDOWS_TIMEOUT_S)
    out: dict[str, Any] = {"command": SHOWN_COMMAND, "unavailable": is_unavailable(ans),
                           "found": ans.get("found"), "returncode": ans.get("returncode"),
                           "timed_out": bool(ans.get("timed_out")), "error": ans.get("error"),
                           "error_msg": ans.get("error_msg"), "stderr": str(ans.get("stderr") or "")[:1000],
                           "data": None}
    if is_unavailable(ans) or not ans.get("found") or ans.get("timed_out"):
        return out
    parsed = parse_guest_windows(str(ans.get("stdout") or ""))
    if "error" in parsed:
        out["parse_error"] = parsed["error"]
        out["stdout_excerpt"] = str(ans.get("stdout") or "")[:500]
    else:
        out["data"] = parsed
    return out


def on_azure_only(func: CheckFunc) -> CheckFunc:
    """`func`, or `not_checked` when this is clearly not an Azure VM: there is no VM agent whose health to check."""

    @functools.wraps(func)
    def checked(ctx: CheckContext) -> Finding:
        if ctx.is_azure is False:
            return Finding(Status.NOT_CHECKED,
                           m("Not checked: this machine does not look like an Azure VM, so there is no VM agent "
                             "to check."), evidence={"is_azure": False})
        return func(ctx)

    return checked
