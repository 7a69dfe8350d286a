"""Line breaking shared by the presenters: by display width for the terminal, by an estimated rendered
width for the diagram, both keeping Japanese kinsoku rules (no closing bracket, small kana or 。、 at the
start of a line, no opening bracket at its end) and katakana words, kanji compounds and Latin words whole.

Japanese text breaks between phrases (文節) found by BudouX, Google's maintained phrase segmenter (a small
model, pure Python): 「見つかりました。」 and 「バックアップが」 stay whole instead of breaking after any kana.
Without BudouX (it is a dependency, so only in a broken install) the text breaks between characters by
the same kinsoku rules.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Callable, Iterator

NO_LINE_START = set("、。，．,.:;!?％%)]}）」』】〕〉》ー・ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")
NO_LINE_END = set("([{（「『【〔〈《")


def _char_em(ch: str, bold: bool) -> float:
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch == " ":
        em = 0.32
    elif ch in "il.,:;|!'()[]/-":
        em = 0.34
    elif ch.isupper() or ch in "mwMW%@":
        em = 0.72
    else:
        em = 0.6
    return em * (1.1 if bold else 1.0)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """A rough, slightly generous rendered width in pixels: CJK 1 em; Latin about 0.6 em, which covers
    both Noto Sans (browsers) and DejaVu Sans (Qt's fallback when it ignores the font list)."""
    return sum(_char_em(c, bold) for c in text) * size


def _script(ch: str) -> str:
    """The run a character belongs to: Latin words, katakana words and kanji compounds stay whole;
    every other wide character (kana, punctuation) is a piece of its own."""
    if ch.isspace():
        return "space"
    if "\u30a1" <= ch <= "\u30fc":
        return "katakana"
    if "\u4e00" <= ch <= "\u9fff" or ch == "\u3005":
        return "kanji"
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return "other_wide"
    return "narrow"


log = logging.getLogger(__name__)
JAPANESE = re.compile("[\u3040-\u30ff\u4e00-\u9fff\u3005]")


@functools.cache
def _phrase_parser() -> Callable[[str], list[str]] | None:
    try:
        import budoux

        parse: Callable[[str], list[str]] = budoux.load_default_japanese_parser().parse
    except (ImportError, OSError, ValueError) as exc:  # a dependency: only a broken install lacks it or its model
        PHRASE_PROBLEM.append(f"{type(exc).__name__}: {exc}")
        log.warning("Japanese lines break between characters: the phrase segmenter is unavailable (%s)", exc)
        return None
    return parse


PHRASE_PROBLEM: list[str] = []  # why the segmenter is unavailable (for --smoke-test), empty when it works


def _atoms(text: str) -> list[str]:
    """Unbreakable pieces: Latin words, Japanese phrases (or, without the segmenter, katakana words, kanji
    compounds and other single wide characters), kinsoku-glued; single spaces."""
    parse = _phrase_parser() if JAPANESE.search(text) else None
    if parse is None:
        return _glue(_pieces(text))
    atoms: list[str] = []
    for phrase in parse(text):
        pieces = _pieces(phrase)
        joined = False  # the pieces of one phrase stay one atom
        for i, piece in enumerate(pieces):
            if piece == " ":
                after = pieces[i + 1] if i + 1 < len(pieces) else ""
                # inside a phrase a space breaks only between Latin words: "VM の" and "root から" stay whole
                if joined and after and (JAPANESE.search(atoms[-1][-1]) or JAPANESE.search(after[0])):
                    atoms[-1] += " "
                    continue
                atoms.append(piece)
                joined = False
            elif joined:
                atoms[-1] += piece
            else:
                atoms.append(piece)
                joined = True
    return _glue(atoms)


def _fine_atoms(text: str) -> list[str]:
    """The pieces without the segmenter: katakana words, kanji compounds and single kana, kinsoku-glued."""
    return _glue(_pieces(text))


def _fitting_atoms(text: str, too_wide: Callable[[str], bool]) -> Iterator[str]:
    """The phrases of `text`; a phrase wider than a whole line is given as its finer pieces instead
    (「バックアップ|拡張機能」), so a word is cut between its letters only when no piece fits either."""
    for atom in _atoms(text):
        if atom != " " and too_wide(atom):
            fine = _fine_atoms(atom)
            if len(fine) > 1:
                yield from fine
                continue
        yield atom


def _pieces(text: str) -> list[str]:
    """Latin words, katakana words, kanji compounds, other single wide characters, single spaces."""
    atoms: list[str] = []
    word = ""
    kind = ""
    for ch in text:
        k = _script(ch)
        if word and (k != kind or k in ("space", "other_wide")):
            atoms.append(" " if kind == "space" else word)
            word = ""
        word += ch
        kind = k
    if word:
        atoms.append(" " if kind == "space" else word)
    return atoms


def _glue(atoms: list[str]) -> list[str]:
    """Kinsoku: a piece that may not start a line joins the one before; one that may not end a line, the
    next; short full-width parenthesis groups stay whole."""
    glued: list[str] = []
    for atom in atoms:
        if glued and atom != " " and glued[-1] != " " and (
            atom[0] in NO_LINE_START or glued[-1][-1] in NO_LINE_END or _straight_quote(atom, glued)
        ):
            glued[-1] += atom
        else:
            glued.append(atom)
    return _keep_short_brackets(glued)


def _straight_quote(atom: str, glued: list[str]) -> bool:
    """A straight double quote around Japanese text ("再試行可能なエラー") is glued like a bracket: a closing one
    (right after text) to the text before it, an opening one (standing alone after a space or at the start) to the
    text after it, so neither starts or ends a line on its own."""
    return atom[0] == '"' or glued[-1] == '"'


def _keep_short_brackets(atoms: list[str]) -> list[str]:
    """Join a short full-width parenthesis group, spaces included, into one atom: "（Azure 側）"."""
    out: list[str] = []
    i = 0
    while i < len(atoms):
        start = atoms[i].find("（")
        if start != -1 and "）" not in atoms[i][start:]:
            j = i + 1
            while j < len(atoms) and "）" not in atoms[j]:
                j += 1
            group = "".join(atoms[i:j + 1])
            if j < len(atoms) and len(group) - start <= 12:
                out.append(group)
                i = j + 1
                continue
        out.append(atoms[i])
        i += 1
    return out


def wrap_text(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Greedy line breaking at spaces and between CJK characters; over-long words are split."""
    lines: list[str] = []
    current = ""
    space = False
    for atom in _fitting_atoms(text, lambda a: text_width(a, size, bold) > width):
        if atom == " ":
            space = bool(current)
            continue
        candidate = f"{current} {atom}" if space else current + atom
        space = False
        if not current or text_width(candidate, size, bold) <= width:
            current = candidate
        else:
            lines.append(current)
            current = atom
        while text_width(current, size, bold) > width and len(current) > 1:
            cut = len(current) - 1
            while cut > 1 and text_width(current[:cut], size, bold) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    return lines


def fit_text(text: str, width: float, sizes: tuple[float, ...], max_lines: int,
             bold: bool = False, ideal_lines: int | None = None) -> tuple[float, list[str]]:
    """The largest font size whose wrapped text has at most `ideal_lines` (then `max_lines`) lines without
    splitting a word; then allowing over-long words to be split; else the smallest size, cut to
    `max_lines` with an ellipsis."""
    widest = max((text_width(a, 1.0, bold) for a in _fine_atoms(text)), default=0.0)
    passes = [(ideal_lines or max_lines, False), (max_lines, False), (max_lines, True)]
    for limit, may_split in dict.fromkeys(passes):
        for size in sizes:
            if widest * size > width and not may_split:
                continue
            lines = wrap_text(text, width, size, bold)
            if len(lines) <= limit:
                return size, lines
    size = sizes[-1]
    lines = wrap_text(text, width, size, bold)[:max_lines]
    last = lines[-1]
    while last and text_width(last + "…", size, bold) > width:
        last = last[:-1]
    lines[-1] = last + "…"
    return size, lines


# --- terminal: display width -----------------------------------------------------------------


def char_width(ch: str) -> int:
    """Terminal cells a character takes: 2 for East Asian wide, 0 for combining marks, else 1."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(c) for c in text)


def cut_to_width(text: str, width: int) -> str:
    """The longest start of `text` that fits in `width` cells."""
    out, used = "", 0
    for ch in text:
        w = char_width(ch)
        if used + w > width:
            break
        out += ch
        used += w
    return out


def wrap(text: str, width: int, indent: str = "", subsequent: str | None = None) -> list[str]:
    """Wrap by display width at spaces and between Japanese phrases (see `_atoms`); an atom wider than a
    line is split. Kinsoku: a closing bracket, small kana or 。、 never starts a line, an opening bracket
    never ends one (they stay glued to their neighbour, so a line may pass the width by one of them)."""
    subsequent = indent if subsequent is None else subsequent
    width = max(width, display_width(indent) + 10, display_width(subsequent) + 10)
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        line = indent if not lines else subsequent
        base = line
        for atom in _fitting_atoms(para, lambda a: display_width(a) > width - display_width(subsequent)):
            if atom == " ":
                if line != base:
                    line += " "
                continue
            if display_width(line + atom) > width and line.strip() and line != base:
                lines.append(line.rstrip())
                line = subsequent
                base = line
            atom_width = display_width(atom)  # kept up to date: a long atom is cut in linear time
            while display_width(line) + atom_width > width and atom_width > 1:
                room = width - display_width(line)
                piece = cut_to_width(atom, room) if room > 0 else ""
                if not piece:
                    lines.append(line.rstrip())
                    line = subsequent
                    base = line
                    piece = cut_to_width(atom, width - display_width(line)) or atom[0]
                line += piece
                atom = atom[len(piece):]
                atom_width -= display_width(piece)
                if atom:
                    lines.append(line.rstrip())
                    line = subsequent
                    base = line
            line += atom
        lines.append(line.rstrip())
    return lines
