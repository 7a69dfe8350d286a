"""Test stand-in for VMSnapshotLinux's handle.py (written for the simulated VM).

On `-enable` it writes a real status file, `<statusFolder>/<seqNo>.status`, shaped like
main/status_template.json (the real sample tests/data/linux/vmsnapshotlinux_status_success.json):
the outer status is success and substatus[0].name holds the extension's own report as a JSON
string. The public settings choose the report: {"vmsimStatus": "success"} (default) or
{"vmsimStatus": "error", "vmHealthStatusCode": 121, "extErrorCode": "...", "message": "..."}.
Every other operation succeeds without writing anything.
"""

import json
import os
import sys
import time


def main():
    op = sys.argv[1].lstrip("-") if len(sys.argv) > 1 else ""
    env = json.load(open("HandlerEnvironment.json"))[0]["handlerEnvironment"]
    log_path = os.path.join(env["logFolder"], "extension.log")
    with open(log_path, "a") as log:
        log.write(f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} operation {op}\n")
    if op != "enable":
        return 0
    seq = os.environ.get("ConfigSequenceNumber", "0")
    settings = json.load(open(os.path.join(env["configFolder"], seq + ".settings")))
    public = settings["runtimeSettings"][0]["handlerSettings"].get("publicSettings") or {}
    status = json.load(open(os.path.join("main", "status_template.json")))
    now = time.time()
    outer = status[0]
    outer["timestampUTC"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
    inner = json.loads(outer["status"]["substatus"][0]["name"])
    inner[0]["timestampUTC"] = f"/Date({int(now * 1000)})/"
    report = inner[0]["status"]
    if public.get("vmsimStatus") == "error":
        code = int(public.get("vmHealthStatusCode", 2))
        report["status"] = "error"
        report["code"] = "2"
        report["snapshotInfo"] = None
        report["vmHealthInfo"] = {"vmHealthStatusCode": code, "vmHealthState": 1}
        report["formattedMessage"]["message"] = public.get("message", "error")
        for item in report.get("telemetryData") or []:
            if item.get("Key") == "extErrorCode":
                item["Value"] = public.get("extErrorCode", "error")
        with open(log_path, "a") as log:
            log.write(f"{outer['timestampUTC']} {public.get('message', 'error')}\n")
    outer["status"]["substatus"][0]["name"] = json.dumps(inner)
    target = os.path.join(env["statusFolder"], seq + ".status")
    with open(target + ".tmp", "w") as handle:
        json.dump(status, handle)
    os.rename(target + ".tmp", target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
