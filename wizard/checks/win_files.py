"""Reading the agent's files on Windows: why a file could not be read, and one retry when it was in use.

The agent sets `C:\\WindowsAzure` and `C:\\Packages` to "Read & Execute: Everyone" (Microsoft's vmassist
checks for exactly that), so a file that cannot be read is more often locked by the program writing it
(a sharing violation, Windows error 32, or a lock violation, 33) than forbidden (access denied, 5).
The `read_file` probe gives the Windows error number as `winerror`, which does not depend on the
display language; the error text does.
"""

from __future__ import annotations

import time

from wizard.checks.base import CheckContext
from wizard.probes.base import Answer, is_unavailable

IN_USE = frozenset({32, 33})  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
DENIED = frozenset({5})  # ERROR_ACCESS_DENIED
RETRY_AFTER_S = 0.5


def unreadable_reason(ans: Answer) -> str:
    """`in_use`, `denied` or `other` for an answer of a file that exists but could not be read."""
    code = ans.get("winerror")
    if code in IN_USE:
        return "in_use"
    if code in DENIED:
        return "denied"
    error = str(ans.get("error") or "").lower()
    if "permission denied" in error or "access is denied" in error:
        return "denied"
    return "other"


def read_with_retry(ctx: CheckContext, path: str, max_bytes: int) -> Answer:
    """`read_file`, tried once more after a short pause when the file was in use by another program."""
    ans = ctx.call("read_file", path=path, max_bytes=max_bytes)
    if is_unavailable(ans) or ans.get("readable") or not ans.get("exists") or unreadable_reason(ans) != "in_use":
        return ans
    time.sleep(RETRY_AFTER_S)
    again = ctx.call("read_file", path=path, max_bytes=max_bytes)
    return {**again, "retried": True}
