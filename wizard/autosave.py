"""Nothing is lost: every finished diagnosis is kept in the user's own folder, so the wizard can open the
last one again and compare a new run with it.

    path = keep(diagnosis, "ja")        # <data_dir>/diagnoses/diagnosis-20261205-070102.json
    newest = saved()[0]                 # newest first
    diag = load(newest)

The file is the public JSON document (`wizard.jsonio`), with every secret cut once more
(`wizard.redact.strip_secrets`), written by the one writer (`wizard.fileio.write_output`) with mode 0600
into the private per-user folder (`wizard.appdata`). Identifiers are not masked: the folder is the
user's own, like a report they save unmasked. At most `KEEP` diagnoses are kept; older ones are removed.
No Qt here: the wizard and tests call it alike.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path

from wizard.appdata import data_dir, ensure_private_dir
from wizard.model import Diagnosis

log = logging.getLogger("wizard.autosave")

FOLDER = "diagnoses"
KEEP = 20
NAME = re.compile(r"^diagnosis-\d{8}-\d{6}(?:-(\d+))?\.json$")
MAX_BYTES = 64 << 20


def folder() -> Path:
    """Where the diagnoses are kept (not created here)."""
    return data_dir() / FOLDER


def file_name(diag: Diagnosis, n: int = 0) -> str:
    """The run's start time; `n` tells apart runs that started in the same second."""
    return f"diagnosis-{diag.started_at.strftime('%Y%m%d-%H%M%S')}{f'-{n}' if n else ''}.json"


def _order(path: Path) -> tuple[str, int]:
    m = NAME.match(path.name)
    return (path.name[:25], int(m.group(1) or 0)) if m else ("", 0)


def document_text(diag: Diagnosis, lang: str) -> str:
    """The JSON document of `diag` with secrets cut (they are already cut by the probe gate; this is the
    second belt, since the file stays on disk)."""
    from wizard.jsonio import diagnosis_to_json
    from wizard.probes.safe import finite
    from wizard.redact import strip_secrets

    doc = strip_secrets(finite(diagnosis_to_json(diag, lang)))
    return json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def keep(diag: Diagnosis, lang: str, path: Path | None = None) -> Path:
    """Write `diag` to the folder (to `path` when this run was kept there before: case fields edited) and drop
    the oldest beyond KEEP; returns the path. Raises OSError or `wizard.fileio.OutputError` when it cannot be
    written."""
    from wizard.fileio import write_output

    where = ensure_private_dir(folder())
    if path is None or path.parent != where:
        n = 0
        while (where / file_name(diag, n)).exists():
            n += 1
        path = where / file_name(diag, n)
    path = Path(write_output(path, document_text(diag, lang), mode=0o600))
    for old in saved()[KEEP:]:
        try:
            old.unlink()
        except OSError as exc:
            log.warning("could not remove the old diagnosis %s: %s", old, exc)
    return path


def saved() -> list[Path]:
    """The kept diagnoses, newest first (by name, which is the run's start time)."""
    try:
        names = [p for p in folder().iterdir() if NAME.match(p.name) and p.is_file() and not p.is_symlink()]
    except OSError:
        return []
    return sorted(names, key=_order, reverse=True)


def last(exclude: Path | None = None) -> Path | None:
    """The newest kept diagnosis (other than `exclude`), or None."""
    for p in saved():
        if exclude is None or os.path.abspath(p) != os.path.abspath(exclude):
            return p
    return None


def load(path: Path) -> Diagnosis:
    """A kept diagnosis (or any `--json` file or saved report); raises
    `wizard.present.compare.CompareInputError` with a sentence for the user when it cannot be read."""
    from wizard.present.compare import load_diagnosis

    return load_diagnosis(str(path))
