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
