"""Language detection and translation at display time."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from wizard.i18n import Translator, detect_language, format_text, normalise_language
from wizard.model import Msg


def test_language_from_the_environment() -> None:
    assert detect_language({"LANG": "ja_JP.UTF-8"}, "linux") == "ja"
    assert detect_language({"LC_ALL": "en_US.UTF-8", "LANG": "ja_JP.UTF-8"}, "linux") == "en"
    assert detect_language({"LANGUAGE": "fr:ja"}, "linux") == "ja"
    assert detect_language({"LANG": "de_DE"}, "linux") == "en"
    assert detect_language({}, "linux") == "en"


def test_normalise() -> None:
    assert normalise_language("ja-JP") == "ja"
    assert normalise_language("EN") == "en"
    assert normalise_language("zz") is None


def test_japanese_translation_is_applied_with_parameters() -> None:
    ja = Translator("ja")
    text = ja.msg(Msg("Not running as root (user {user}): the Wire Server and firewall checks cannot give a "
                      "conclusive answer.", {"user": "azureuser"}))
    assert "azureuser" in text and "root" in text
    assert text != Translator("en").msg(Msg("Not running as root (user {user}): the Wire Server and firewall "
                                            "checks cannot give a conclusive answer.", {"user": "azureuser"}))


def test_unknown_message_falls_back_to_english() -> None:
    assert Translator("ja")("No such message {x}", x=1) == "No such message 1"


@given(st.text(max_size=40), st.dictionaries(st.sampled_from(["a", "b", "n"]), st.integers() | st.text(max_size=5)))
def test_format_never_raises(template: str, params: dict[str, object]) -> None:
    assert isinstance(format_text(template, params), str)  # type: ignore[arg-type]


def test_missing_parameter_stays_visible() -> None:
    assert format_text("Hello {name} and {other}", {"name": "x"}) == "Hello x and {other}"


def test_a_reason_inside_a_message_is_translated_in_the_same_language() -> None:
    outer = Msg("Not checked: could not read {path} ({error}).", {"path": "/x", "error": Msg("permission denied")})
    assert Translator("en").msg(outer) == "Not checked: could not read /x (permission denied)."
    ja = Translator("ja").msg(outer)
    assert "/x" in ja and "permission denied" not in ja and "拒否" in ja
    assert format_text(outer.id, outer.params) == "Not checked: could not read /x (permission denied)."


def test_an_old_recording_reason_is_shown_as_it_is() -> None:
    from wizard.checks.base import error_msg

    old = error_msg({"unavailable": True, "error": "Permission denied"})
    assert Translator("ja").msg(old) == "Permission denied"
    new = error_msg({"error": "Permission denied", "error_msg": {"id": "permission denied", "params": {}}})
    assert new == Msg("permission denied")
    assert error_msg(None) == Msg("no details") and error_msg({"error": None}, "not found") == Msg("not found")


def test_lists_inside_sentences_use_the_languages_separator() -> None:
    from wizard.i18n import Translator

    assert Translator("en").join(["80", "32526"]) == "80, 32526"
    assert Translator("ja").join(["問題: 5", "情報: 1"]) == "問題: 5、情報: 1"
    assert Translator("ja").join([]) == ""


def test_a_list_parameter_is_joined_by_the_translator_at_display_time() -> None:
    """Checks hand lists over as lists (`listed`); the presenter's translator joins them in its language, and
    translates messages inside them (Windows Firewall's profile names)."""
    from wizard.model import listed

    summary = Msg("Windows Firewall blocks outbound connections by default in the {profiles} profile and no rule "
                  "allows the Wire Server (168.63.129.16) on port {ports}.",
                  {"profiles": listed([Msg("Domain"), Msg("Public")]), "ports": listed(["80", "32526"])})
    en, ja = Translator("en").msg(summary), Translator("ja").msg(summary)
    assert "in the Domain, Public profile" in en and "on port 80, 32526." in en
    assert "ドメイン、パブリック プロファイル" in ja and "ポート 80、32526 " in ja and ", " not in ja
    assert format_text(summary.id, summary.params) == en
    again = Msg.from_dict(summary.to_dict())  # a saved diagnosis keeps the list (JSON array) and its messages
    assert again == summary and Translator("ja").msg(again) == ja
    assert summary.to_dict()["params"]["profiles"] == [{"id": "Domain", "params": {}}, {"id": "Public", "params": {}}]


def test_a_long_list_is_cut_between_items() -> None:
    from wizard.model import listed

    names = [f"writer-{i:03d}" for i in range(100)]
    cut = listed(names, max_chars=60)
    assert cut[-1] == "..." and all(n in names for n in cut[:-1]) and 3 < len(cut) < 10
    assert listed(["x" * 80], max_chars=50) == ("x" * 50,)
    assert listed(names[:3], max_chars=500) == tuple(names[:3])
