"""`--root DIR` on hostile trees: the files the checks read replaced by text in every encoding, binary, huge
sparse files, links to a secret file outside the tree, links to /dev/zero, FIFOs, folders, unreadable files,
link loops and hostile names. Every attack target is built inside the temporary workspace.

A `--root` folder is always a usable input: exit 0/1/2 with every output written, plus the rules of
`hostile_harness.judge_cli`; and no line of the file outside the tree (each carries `OUTSIDE_MARKER`) may
appear anywhere.
"""

from __future__ import annotations

import pytest
from hostile_inputs import (
    EXT_LINUX,
    EXT_WINDOWS,
    LINUX_FILES,
    Node,
    RootTree,
    hostile_settings,
    root_property,
    root_trees,
    sample_text,
)
from hypothesis import given
from hypothesis import strategies as st

pytestmark = pytest.mark.posix("FIFOs, symbolic links, sockets and sparse files are POSIX things")


@hostile_settings(25)
@given(tree=root_trees(), lang=st.sampled_from(["en", "ja"]), redact=st.booleans())
def test_hostile_root_trees(tree: RootTree, lang: str, redact: bool) -> None:
    broken = root_property(tree, lang, redact)
    assert not broken, f"{tree}\n" + "\n".join(map(str, broken))


TARGETS = ["etc/hostname", "etc/waagent.conf", "var/log/waagent.log", f"{EXT_LINUX}/status/0.status",
           "WindowsAzure/Logs/WaAppAgent.log", f"{EXT_WINDOWS}/Status/0.status"]
ATTACKS = ["link_outside", "link_dev_zero", "fifo", "folder", "socket", "link_loop", "unreadable"]


def _tree_with(rel: str, node: Node) -> RootTree:
    """A plausible bundle of the target's platform, with `node` at `rel`."""
    windows = rel.startswith(("WindowsAzure", "Packages"))
    base = {r: Node("file", sample_text(r).encode()) for r in
            (["WindowsAzure/Logs/WaAppAgent.log"] if windows else list(LINUX_FILES)[:4])}
    return RootTree({**base, rel: node})


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("rel", TARGETS)
def test_every_attack_at_every_read_path(rel: str, attack: str) -> None:
    """Each attack once at each path the checks read, whatever the random trees above drew (the host name
    is read apart from the other files: a link there used to put the first line of /etc/shadow in the
    report, a FIFO hung the run)."""
    node = Node(attack, sample_text(rel).encode() if attack == "unreadable" else b"")
    broken = root_property(_tree_with(rel, node))
    assert not broken, "\n".join(map(str, broken))


@pytest.mark.parametrize("size", [20 * 1024 * 1024, 1024**4])
def test_a_huge_sparse_log_is_read_by_its_tail(size: int) -> None:
    tail = sample_text("var/log/waagent.log").encode()
    broken = root_property(_tree_with("var/log/waagent.log", Node("sparse", tail, size)))
    assert not broken, "\n".join(map(str, broken))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "cp932", "invalid-utf-8"])
def test_encodings_of_a_log_with_secrets(encoding: str) -> None:
    from hostile_harness import SECRET_TEXTS
    from hostile_inputs import encode, with_secret

    text = sample_text("WindowsAzure/Logs/WaAppAgent.log")
    for secret in SECRET_TEXTS[:12]:
        text = with_secret(text, secret, "every_line")
    broken = root_property(_tree_with("WindowsAzure/Logs/WaAppAgent.log", Node("file", encode(text, encoding))))
    assert not broken, "\n".join(map(str, broken))
