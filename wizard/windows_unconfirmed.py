"""What the Windows checks assume but public sources do not confirm, until a run on a real Azure VM does.

`--smoke-test` prints this list (so the first run of the Windows executable on a real VM says what to
look at), and docs/windows.md explains each item; a test keeps the two in step. Developer-facing
English, like the rest of the smoke test's output.
"""

from __future__ import annotations

UNCONFIRMED: tuple[tuple[str, str], ...] = (
    ("network", "what a non-elevated process gets from the agent's Wire Server restriction (WSAEACCES 10013 at "
                "once, or a time-out), and that an elevated Administrator, not only SYSTEM, passes it"),
    ("extension", "the layout of a real Windows VMSnapshot <seq>.status file: a plain substatus name or an "
                  "embedded JSON report, whether vmHealthInfo is there, whether the outer status is forced to "
                  "success"),
    ("extension", "the line format of IaaSBcdrExtension*.log and the content of SeqNumber.txt"),
    ("agent", "whether healthy multi-NIC VMs log 'Did not discover fabric address' before 'Discovered fabric "
              "address', the sharing mode of WaAppAgent.log, and its time format on a ja-JP system locale"),
    ("firewall", "whether a standard user may read the firewall rules in the registry, and that the registry "
                 "holds the same enabled outbound rules Get-NetFirewallRule shows (rules added at run time by "
                 "services are not stored there)"),
    ("firewall", "how long the PowerShell fallback and Get-NetConnectionProfile take on B1s/B2s and on Server "
                 "2012 R2 with about 1000 rules"),
    ("cpu", "the CPU the wizard itself adds on 1, 2 and 4 vCPU (the sample now runs before any child process), "
            "also right after the one-file executable unpacked itself"),
    ("start-up", "Qt 6 start-up on Server 2019/2022/2025 Server Core; on 2016 and 2012 R2 the native message box, "
                 "the console view and the report instead; Japanese fonts on an English image; DPI over RDP"),
    ("start-up", "the one-file executable under SmartScreen/Mark of the Web, Defender real-time scanning, and "
                 "AppLocker/WDAC rules that block %TEMP%\\_MEI*; Python 3.11's runtime on Server 2012 R2"),
    ("console", "attaching to the console of cmd, Windows PowerShell, pwsh and Windows Terminal with '> file' "
                "and '| more', and the exit code of VMBackupWizard-cli.exe in each"),
    ("elevation", "the UAC restart from a non-built-in administrator and from a standard user (over-the-shoulder): "
                  "the working folder and where the report lands"),
    ("text", "the bytes of vssadmin, netsh and PowerShell under CREATE_NO_WINDOW on ja-JP (cp932) and on en-US "
             "with the Japanese UI, and the Japanese vssadmin state labels other than [1] 安定"),
    ("proxy", "netsh winhttp and WinHttpSettings on Server 2025; SYSTEM's DefaultConnectionSettings (its layout "
              "and whether Windows turns auto-detect on by default) and what bitsadmin /util /setieproxy writes"),
    ("msp", "what a TCP connect and GET /?comp=versions return to an elevated process under the Guest Proxy "
            "Agent in Audit and in Enforce mode, and the keys of status.json in its current version"),
    ("events", "that Get-WinEvent finds the System log's volume shadow copy driver events under the provider name "
               "volsnap on Server 2012 R2 to 2025, the levels the VSS and volsnap events carry, and how long the event "
               "query takes on a VM with a full Application log"),
    ("services", "psutil's service fields for VSS, COMSysApp, MSDTC and RdAgent, and the names, encoding and NUL "
                 "padding of aggregatestatus*.json"),
    ("files", "whether a standard user can read C:\\WindowsAzure and C:\\Packages\\Plugins\\...\\Status, and how "
              "often WaAppAgent.log is locked"),
    ("azure", "the SMBIOS chassis asset tag read through GetSystemFirmwareTable on Gen1, Gen2 and Arm64 Azure VMs"),
    ("dhcp", "that IMDS lists the NIC's primary IP configuration first"),
)


def lines() -> list[str]:
    """The items as lines for the smoke test's output."""
    return [f"  - [{area}] {text}" for area, text in UNCONFIRMED]
