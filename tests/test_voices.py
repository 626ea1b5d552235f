"""Voice profiles: the shipped ones load, bad ones are named errors, others get defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletins.errors import VoiceError
from bulletins.voices import builtin_voices_dir, default_profile, load_profiles, profile_for


def test_shipped_profiles() -> None:
    """Italian, Arabic and English ship, each with its engines' voices, pauses and phrases."""
    profiles = load_profiles([builtin_voices_dir()])
    assert {"it", "ar", "en"} <= set(profiles)
    for code, code3 in (("it", "ita"), ("ar", "ara"), ("en", "eng")):
        profile = profiles[code]
        assert profile.iso639_2 == code3
        assert profile.gtts_lang and profile.espeak_voice
        assert {"opening", "contents", "before_article", "closing"} <= set(profile.phrases)
        assert len(profile.months) == 12
        assert (
            profile.pauses.article
            > profile.pauses.paragraph
            > profile.pauses.sentence
            > profile.pauses.clause
        )
    assert profiles["ar"].name == "العربية"


def test_user_profile_overrides_builtin(tmp_path: Path) -> None:
    """A profile in a user's folder replaces the built-in one for its language."""
    (tmp_path / "it.toml").write_text("rate = 140\n[pauses]\nsentence = 600\n", encoding="utf-8")
    profile = load_profiles([tmp_path, builtin_voices_dir()])["it"]
    assert (profile.rate_wpm, profile.pauses.sentence, profile.pauses.paragraph) == (140, 600, 850)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rate = 'fast'", "'rate' must be int"),
        ("rate = 20", "'rate' is words per minute, from 80 to 400"),
        ("[pauses]\nbreath = 100", "unknown pause 'breath'"),
        ("[pauses]\nsentence = -5", "'pauses.sentence' must not be negative"),
        ("voice = 'x'", "unknown key(s) voice"),
        ("rate = ", "is not valid TOML"),
    ],
)
def test_bad_profile_is_a_named_error(tmp_path: Path, text: str, message: str) -> None:
    """A malformed profile is refused with its file and the key at fault."""
    (tmp_path / "it.toml").write_text(text, encoding="utf-8")
    with pytest.raises(VoiceError) as caught:
        load_profiles([tmp_path])
    assert str(caught.value).startswith(str(tmp_path / "it.toml"))
    assert message in str(caught.value)


def test_language_without_profile_gets_defaults() -> None:
    """French has no profile file: its default uses its own code for every engine."""
    profile = profile_for("fr", load_profiles([builtin_voices_dir()]))
    assert profile == default_profile("fr")
    assert (profile.gtts_lang, profile.espeak_voice, profile.iso639_2, profile.source) == (
        "fr",
        "fr",
        "fra",
        None,
    )
