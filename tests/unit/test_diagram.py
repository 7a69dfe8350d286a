"""The phase diagram: valid SVG Tiny, deterministic, reflects statuses, fits its labels, renders in Qt."""

from __future__ import annotations

import contextlib
import datetime
import gettext
import random
from collections.abc import Iterator
from xml.etree.ElementTree import Element

import pytest
from defusedxml import ElementTree

from wizard.i18n import Translator
from wizard.model import CheckResult, Component, Diagnosis, HostInfo, Msg, Phase, Status
from wizard.present import diagram
from wizard.present.diagram import FONT_FAMILY, NODE_W, STYLES, WIDTH, render_svg, state_for
from wizard.present.linebreak import fit_text, text_width, wrap_text

SVG = "{http://www.w3.org/2000/svg}"

# The diagram's labels in Japanese (as in the catalog the lead merges), so these tests need no .mo file.
JA = {
    "Guest OS": "ゲスト OS",
    "VM agent": "VM エージェント",
    "Backup extension": "バックアップ拡張機能",
    "In-guest firewall / proxy": "VM 内部（OS）のファイアウォール / プロキシ",
    "Wire Server": "Wire Server",
    "Snapshot on the host": "ホスト上のスナップショット",
    "Recovery Services vault": "Recovery Services コンテナー",
    "CPU, memory, disks, VSS / fsfreeze": "CPU、メモリ、ディスク、VSS / fsfreeze",
    "Service, version, settings": "サービス、バージョン、設定",
    "Rules and proxy settings in the guest": "ゲスト内のルールとプロキシ設定",
    "168.63.129.16, TCP ports 80 and 32526": "168.63.129.16、TCP ポート 80 と 32526",
    "Taken by the host, kept for instant restore": "ホストが作成し、インスタント リストア用に保持",
    "Backup data storage": "バックアップ データ用ストレージ",
    "Problem": "問題あり",
    "Warning": "警告",
    "Check failed": "チェック エラー",
    "Not checked": "未確認",
    "Info": "情報",
    "OK": "OK",
    "No results": "結果なし",
    "Not checked (Azure side)": "未確認（Azure 側）",
    "Take Snapshot": "Take Snapshot（スナップショットの取得）フェーズ",
    "Transfer data to vault": "Transfer data to vault（コンテナーへのデータ転送）フェーズ",
    "VM": "VM",
    "Back-end traffic: does not pass through the VM's NIC and needs no internet access.":
        "バックエンドの通信: VM の NIC を経由せず、インターネット接続も不要です。",
    "Only the firewall or a proxy inside the VM can block 168.63.129.16. Network security groups, Azure "
    "Firewall, routes and forced tunnelling do not.":
        "168.63.129.16 への通信をブロックできるのは、VM 内部（OS）のファイアウォールかプロキシだけです。"
        "ネットワーク セキュリティ グループ（NSG）、Azure Firewall、ルート、強制トンネリングは影響しません。",
    "Azure VM Backup: the two phases of a backup job": "Azure VM Backup: バックアップ ジョブの 2 つのフェーズ",
    "Azure VM Backup: the two phases of a backup job, with this VM's results":
        "Azure VM Backup: バックアップ ジョブの 2 つのフェーズとこの VM の結果",
    "{component}: {status}.": "{component}: {status}。",
}


class _Catalog(gettext.NullTranslations):
    def __init__(self, mapping: dict[str, str] | None = None, fallback=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.mapping = mapping or {}
        self.fallback_func = fallback

    def gettext(self, message: str) -> str:
        if message in self.mapping:
            return self.mapping[message]
        return self.fallback_func(message) if self.fallback_func else message


def _translator(lang: str, mapping: dict[str, str] | None = None, fallback=None) -> Translator:  # type: ignore[no-untyped-def]
    t = Translator("en")
    t.lang = lang
    t._t = _Catalog(mapping, fallback)  # a stand-in catalog for the test
    return t


EN = Translator("en")
JA_T = _translator("ja", JA)
# Every label replaced by long Japanese text (about as wide as the English), to stress the wrapping.
STRESS_T = _translator("ja", fallback=lambda m: ("検証用の表示文字列です。" * 20)[: max(2, len(m) // 2)])
HOSTILE_T = _translator("en", fallback=lambda m: "<b>&amp; \"quoted\" 'x' </svg>" + m)


def _result(check_id: str, status: Status, component: Component) -> CheckResult:
    return CheckResult(check_id, status, component, Phase.TAKE_SNAPSHOT, Msg(check_id), Msg("found"))


def _diagnosis(results: list[CheckResult]) -> Diagnosis:
    return Diagnosis("vmbackup-wizard", "0.1.0", datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC), 1.0,
                     HostInfo(), results)


def failed_wireserver() -> Diagnosis:
    """A VM whose in-guest firewall blocks the Wire Server."""
    return _diagnosis([
        _result("env.azure", Status.OK, Component.GUEST),
        _result("res.memory", Status.WARNING, Component.GUEST),
        _result("agent.service", Status.OK, Component.AGENT),
        _result("agent.version", Status.INFO, Component.AGENT),
        _result("ext.backup", Status.NOT_CHECKED, Component.EXTENSION),
        _result("net.proxy", Status.OK, Component.NETWORK_PATH),
        _result("net.firewall", Status.OK, Component.NETWORK_PATH),
        _result("net.wireserver_port80", Status.PROBLEM, Component.WIRESERVER),
        _result("net.hostplugin_health", Status.ERROR, Component.WIRESERVER),
    ])


def _parse(svg: str) -> Element:
    root = ElementTree.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    return root


def _by_id(root: Element) -> dict[str, Element]:
    return {el.get("id"): el for el in root.iter() if el.get("id")}


# --- structure and determinism -------------------------------------------------------------


@pytest.mark.parametrize("translator", [EN, JA_T, STRESS_T], ids=["en", "ja", "stress"])
@pytest.mark.parametrize("make", [failed_wireserver, lambda: None], ids=["diagnosis", "none"])
def test_is_valid_svg_tiny(translator: Translator, make) -> None:  # type: ignore[no-untyped-def]
    svg = render_svg(make(), translator)
    root = _parse(svg)
    assert root.get("baseProfile") == "tiny" and root.get("version") == "1.2"
    assert root.get("width") == str(WIDTH)
    allowed = {"svg", "title", "desc", "g", "rect", "line", "polyline", "polygon", "circle", "text"}
    for el in root.iter():
        assert el.tag.removeprefix(SVG) in allowed, el.tag
        assert "style" not in el.attrib
        assert "class" not in el.attrib or el.tag == f"{SVG}g"
        for name in el.attrib:
            assert not name.startswith("{"), name  # no xlink, no foreign attributes
    assert "<style" not in svg and "filter" not in svg and "foreignObject" not in svg and "marker" not in svg
    fonts = _by_id(root)["diagram"].get("font-family") or ""
    for family in ("Noto Sans CJK JP", "Yu Gothic UI", "Meiryo", "sans-serif"):
        assert family in fonts
    assert fonts == FONT_FAMILY


def test_title_and_desc_for_screen_readers() -> None:
    root = _parse(render_svg(failed_wireserver(), EN))
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert title.text == "Azure VM Backup: the two phases of a backup job, with this VM's results"
    assert desc.text is not None
    assert "In-guest firewall / proxy: Problem." in desc.text and "Guest OS: Warning." in desc.text
    assert "VM agent: Info." in desc.text and "Recovery Services vault: Not checked (Azure side)." in desc.text
    assert "The link into In-guest firewall / proxy is drawn broken" in desc.text
    assert "The link into the Wire Server is drawn broken because the VM could not reach it." in desc.text
    assert "without passing through the VM's network interface" in desc.text
    plain = _parse(render_svg(None, EN))
    assert plain.find(f"{SVG}title").text == "Azure VM Backup: the two phases of a backup job"  # type: ignore[union-attr]
    assert ": " not in (plain.find(f"{SVG}desc").text or "").split(".")[-1]  # type: ignore[union-attr]


def test_deterministic_bytes() -> None:
    first = render_svg(failed_wireserver(), JA_T)
    assert render_svg(failed_wireserver(), JA_T) == first
    shuffled = failed_wireserver()
    random.Random(7).shuffle(shuffled.results)
    assert render_svg(shuffled, JA_T) == first
    assert render_svg(None, EN) == render_svg(None, EN)


def test_labels_follow_the_language() -> None:
    en_text = " ".join(t.text or "" for t in _parse(render_svg(failed_wireserver(), EN)).iter(f"{SVG}text"))
    ja_text = " ".join(t.text or "" for t in _parse(render_svg(failed_wireserver(), JA_T)).iter(f"{SVG}text"))
    assert "Take Snapshot" in en_text and "Recovery" in en_text and "Problem" in en_text
    assert "スナップショットの取得" in ja_text and "問題あり" in ja_text and "コンテナー" in ja_text


def test_text_is_escaped() -> None:
    svg = render_svg(failed_wireserver(), HOSTILE_T)
    root = _parse(svg)
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert any("<b>&amp;" in t for t in texts)
    assert root.find(f"{SVG}title").text.startswith("<b>&amp; \"quoted\"")  # type: ignore[union-attr]


# --- statuses ------------------------------------------------------------------------------


def test_component_statuses_are_the_worst_of_their_results() -> None:
    statuses = state_for(failed_wireserver(), EN).statuses
    assert statuses[Component.GUEST] is Status.WARNING
    assert statuses[Component.AGENT] is Status.INFO
    assert statuses[Component.VAULT] is None
    assert set(state_for(None, EN).statuses.values()) == {None}


def test_an_unreachable_wire_server_breaks_the_path_not_the_wire_server() -> None:
    """Port 80 timed out: the failure lives on the way there (the in-guest firewall / proxy box), and the
    link into the Wire Server is drawn broken; the Wire Server itself only shows what it answered."""
    ids = _by_id(_parse(render_svg(failed_wireserver(), EN)))
    path = ids["node-network_path"]
    assert path.get("fill") == STYLES[Status.PROBLEM].fill
    assert "status-problem" in (ids["component-network_path"].get("class") or "")
    assert "broken" in (ids["link-wireserver"].get("class") or "")
    assert "break-wireserver" in ids
    red_lines = [el for el in ids["break-wireserver"] if el.tag == f"{SVG}line"]
    assert len(red_lines) == 2 and all(el.get("stroke") == STYLES[Status.PROBLEM].stroke for el in red_lines)
    assert ids["node-wireserver"].get("fill") == STYLES[Status.ERROR].fill, "only its own failed check"
    assert ids["status-wireserver-0"].text != "Problem"
    for comp in ("agent", "extension", "snapshot"):
        assert "broken" not in (ids[f"link-{comp}"].get("class") or ""), comp
        assert f"break-{comp}" not in ids
    assert ids["node-guest"].get("fill") == STYLES[Status.WARNING].fill
    assert ids["node-extension"].get("fill") == STYLES[Status.NOT_CHECKED].fill


def test_a_wire_server_that_answers_with_an_error_is_painted_itself() -> None:
    answered = CheckResult("net.wireserver_versions", Status.PROBLEM, Component.WIRESERVER, Phase.TAKE_SNAPSHOT,
                           Msg("t"), Msg("s"), evidence={"outcome": "ok", "status": 503})
    state = state_for(_diagnosis([answered]), EN)
    assert state.statuses[Component.WIRESERVER] is Status.PROBLEM
    assert state.statuses[Component.NETWORK_PATH] is None


@pytest.mark.parametrize("status", list(Status))
def test_every_status_has_a_colour_a_symbol_and_a_word(status: Status) -> None:
    d = _diagnosis([_result("net.firewall", status, Component.NETWORK_PATH)])
    ids = _by_id(_parse(render_svg(d, EN)))
    assert ids["node-network_path"].get("fill") == STYLES[status].fill
    assert len(list(ids["symbol-network_path"])) >= 1
    assert ids["status-network_path-0"].text == STYLES[status].label
    assert f"legend-{status.value}" in ids
    assert ("break-network_path" in ids) is (status is Status.PROBLEM)


def test_symbols_differ_by_shape_not_only_colour() -> None:
    shapes = {s.shape for s in STYLES.values()}
    assert len(shapes) == len(STYLES)


def test_transfer_is_dashed_back_end_traffic_outside_the_vm() -> None:
    ids = _by_id(_parse(render_svg(failed_wireserver(), EN)))
    transfer = ids["link-vault"]
    assert "transfer" in (transfer.get("class") or "")
    lines = [el for el in transfer if el.tag == f"{SVG}line"]
    assert lines and all(el.get("stroke-dasharray") for el in lines)
    assert all(not el.get("stroke-dasharray") for el in ids["link-agent"] if el.tag == f"{SVG}line")
    vm = ids["vm-box"]
    vm_left, vm_right = float(vm.get("x") or 0), float(vm.get("x") or 0) + float(vm.get("width") or 0)
    for comp in ("guest", "agent", "extension", "network_path"):
        x = float(ids[f"node-{comp}"].get("x") or 0)
        assert vm_left < x < vm_right, comp
    for comp in ("wireserver", "snapshot", "vault"):
        assert float(ids[f"node-{comp}"].get("x") or 0) > vm_right, comp
    assert ids["label-vm-0"].text == "VM"
    assert "NIC" in " ".join(el.text or "" for key, el in ids.items() if key.startswith("note-transfer"))


def test_phase_brackets_span_the_right_components() -> None:
    ids = _by_id(_parse(render_svg(failed_wireserver(), EN)))

    def span(bracket_id: str) -> tuple[float, float]:
        xs = [float(p.split(",")[0]) for p in (ids[bracket_id].get("points") or "").split()]
        return min(xs), max(xs)

    guest, snapshot, vault = ids["node-guest"], ids["node-snapshot"], ids["node-vault"]
    take = span("bracket-take_snapshot")
    assert take == (float(guest.get("x") or 0), float(snapshot.get("x") or 0) + NODE_W)
    transfer = span("bracket-transfer_to_vault")
    assert transfer == (float(snapshot.get("x") or 0), float(vault.get("x") or 0) + NODE_W)
    assert ids["label-take_snapshot-0"].text == "Take Snapshot"
    assert ids["label-transfer_to_vault-0"].text == "Transfer data to vault"


def test_without_a_diagnosis_no_statuses_are_drawn() -> None:
    ids = _by_id(_parse(render_svg(None, EN)))
    assert not [k for k in ids if k.startswith(("symbol-", "status-", "break-", "legend"))]
    assert ids["node-wireserver"].get("fill") == "#FFFFFF"


# --- layout and colours --------------------------------------------------------------------


def _contrast(a: str, b: str) -> float:
    def lum(hex_colour: str) -> float:
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("style", [*STYLES.values(), diagram.NEUTRAL], ids=lambda s: s.label)
def test_colours_meet_wcag_aa(style: diagram.StatusStyle) -> None:
    assert _contrast(style.stroke, "#FFFFFF") >= 4.5  # symbols, outlines, legend
    assert _contrast(style.stroke, style.fill) >= 4.5  # the status word inside the node


def test_text_colours_meet_wcag_aa() -> None:
    for colour in (diagram.TEXT_COLOUR, diagram.MUTED_COLOUR, diagram.LINK_COLOUR):
        assert _contrast(colour, "#FFFFFF") >= 4.5
        assert _contrast(colour, "#F1F3F4") >= 4.5


@pytest.mark.parametrize("translator", [EN, JA_T, STRESS_T], ids=["en", "ja", "stress"])
def test_node_text_fits_inside_its_box(translator: Translator) -> None:
    root = _parse(render_svg(failed_wireserver(), translator))
    ids = _by_id(root)
    height = float(root.get("height") or 0)
    for comp in Component:
        box = ids[f"node-{comp.value}"]
        x, y = float(box.get("x") or 0), float(box.get("y") or 0)
        w, h = float(box.get("width") or 0), float(box.get("height") or 0)
        texts = [el for key, el in ids.items()
                 if key.startswith((f"name-{comp.value}-", f"detail-{comp.value}-", f"status-{comp.value}-"))]
        assert texts
        for el in texts:
            size = float(el.get("font-size") or 0)
            width = text_width(el.text or "", size, bold=el.get("font-weight") == "bold")
            assert width <= w - 6, (comp, el.text)
            assert y + size <= float(el.get("y") or 0) <= y + h - 4, (comp, el.text)
            assert abs(float(el.get("x") or 0) - (x + w / 2)) < 0.11
        assert y + h < height
    for el in root.iter(f"{SVG}text"):
        assert float(el.get("y") or 0) <= height


def test_wrapping_keeps_words_and_japanese_rules() -> None:
    assert wrap_text("Snapshot on the host", 100, 13, bold=True) == ["Snapshot on", "the host"]
    assert wrap_text("バックアップ拡張機能", 90, 13) == ["バックアップ", "拡張機能"]
    lines = wrap_text("VM 内部（OS）のファイアウォール / プロキシ", 92, 11)
    assert "ファイアウォール" in "".join(lines) and not any(line.startswith(("）", "、", "ー")) for line in lines)
    assert wrap_text("未確認（Azure 側）", 90, 12) == ["未確認", "（Azure 側）"]
    assert all(text_width(line, 10) <= 40 for line in wrap_text("VMSnapshotLinuxExtensionHandler", 40, 10))
    size, fitted = fit_text("a " * 200, 60, (12.0, 10.0), 2)
    assert size == 10.0 and len(fitted) == 2 and fitted[-1].endswith("…")
    assert fit_text("", 60, (12.0,), 2) == (12.0, [])


# --- Qt ------------------------------------------------------------------------------------

_APP: list[object] = []


@pytest.fixture
def qt_app(monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    _APP.append(app)  # keep it alive for the rest of the session
    return app


@contextlib.contextmanager
def _qt_messages() -> Iterator[list[str]]:
    """Every Qt message meanwhile as "QtWarningMsg: text", the SVG module's debug notes included."""
    from PySide6.QtCore import QLoggingCategory, QtMsgType, qInstallMessageHandler

    messages: list[str] = []

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        messages.append(f"{kind.name}: {message}")

    QLoggingCategory.setFilterRules("qt.svg*=true")
    previous = qInstallMessageHandler(handler)
    try:
        yield messages
    finally:
        qInstallMessageHandler(previous)
        QLoggingCategory.setFilterRules("qt.svg.debug=false")


def test_qt_message_capture_catches_svg_complaints(qt_app: object) -> None:
    from PySide6.QtCore import QByteArray
    from PySide6.QtSvg import QSvgRenderer

    bad = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><bogus/>'
           b'<rect width="5" height="5" fill="url(#nope)"/></svg>')
    with _qt_messages() as messages:
        QSvgRenderer(QByteArray(bad))
    assert any("bogus" in m for m in messages) and any("nope" in m for m in messages)


@pytest.mark.parametrize("translator", [EN, JA_T], ids=["en", "ja"])
@pytest.mark.parametrize("make", [failed_wireserver, lambda: None], ids=["diagnosis", "none"])
def test_renders_through_qsvgrenderer_without_warnings(qt_app: object, translator: Translator, make) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    svg = render_svg(make(), translator)
    with _qt_messages() as messages:
        renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
        assert renderer.isValid()
        size = renderer.defaultSize()
        assert size.width() == WIDTH and size.height() > 250
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(QColor("#000000"))
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
    assert not image.isNull()
    # Qt's SVG Tiny support has no <title>/<desc> (kept for screen readers) and notes that it skips them;
    # anything else, and any warning at all, fails.
    assert messages == ['QtDebugMsg: Skipping unknown element "title"', 'QtDebugMsg: Skipping unknown element "desc"']
    ids = _by_id(_parse(svg))
    node = ids["node-wireserver"]
    x, y = float(node.get("x") or 0), float(node.get("y") or 0)
    assert image.pixelColor(int(x + 8), int(y + 26)).name().upper() == (node.get("fill") or "").upper()
    assert image.pixelColor(2, 2).name() == "#ffffff"


@pytest.mark.parametrize("phase", ["take_snapshot", "transfer_to_vault"])
def test_the_phase_the_user_named_is_drawn_thicker(phase: str) -> None:
    t = Translator("en")
    diag = failed_wireserver()
    plain = _by_id(_parse(diagram.render_svg(diag, t)))
    diag.symptom = {"code": None, "phase": phase, "matched": False}
    root = _parse(diagram.render_svg(diag, t))
    named = _by_id(root)
    other = "transfer_to_vault" if phase == "take_snapshot" else "take_snapshot"
    assert named[f"bracket-{phase}"].get("stroke-width") == "4"
    assert named[f"bracket-{other}"].get("stroke-width") == plain[f"bracket-{other}"].get("stroke-width") == "2"
    desc = "".join(root.find("{http://www.w3.org/2000/svg}desc").itertext())
    assert "The portal showed the failure in the" in desc
