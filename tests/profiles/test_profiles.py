"""Voice profiles: the shipped ones load, bad ones are named errors, others get defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TEST_FIXTURES

from bulletins.errors import VoiceError
from bulletins.profiles.profile import (
    builtin_voices_dir,
    default_profile,
    load_profiles,
    profile_for,
)


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
        ("[pico]\nrate = 500", "'pico.rate' is words per minute, from 80 to 400"),
        ("heard_rate = [160, 130]", "'heard_rate' must be two rates"),
        ("heard_rate = [130]", "'heard_rate' is [lowest, highest] words a minute"),
    ],
)
def test_bad_profile_is_a_named_error(tmp_path: Path, text: str, message: str) -> None:
    """A malformed profile is refused with its file and the key at fault."""
    (tmp_path / "it.toml").write_text(text, encoding="utf-8")
    with pytest.raises(VoiceError) as caught:
        load_profiles([tmp_path])
    assert str(caught.value).startswith(str(tmp_path / "it.toml"))
    assert message in str(caught.value)


def test_an_engine_may_be_asked_its_own_rate(tmp_path: Path) -> None:
    """``[espeak] rate`` is what eSpeak NG is asked; the other engines keep ``rate``."""
    (tmp_path / "fr.toml").write_text("rate = 170\n[espeak]\nrate = 140\n", encoding="utf-8")
    profile = load_profiles([tmp_path])["fr"]
    assert (profile.rate_for("espeak"), profile.rate_for("pico"), profile.rate_for("gtts")) == (
        140,
        170,
        170,
    )


def test_each_language_has_a_target_rate_scaled_from_how_fast_it_is_read_aloud() -> None:
    """A language whose words are longer is heard at fewer of them a minute: German and
    Arabic below English, Spanish close to it; a language IReST did not measure has no
    target, and its rate is reported, not judged."""
    profiles = load_profiles([builtin_voices_dir()])
    english, german, spanish = (profiles[c].heard_rate for c in ("en", "de", "es"))
    assert german[1] < english[0] and spanish[0] < english[0] < spanish[1]
    assert profiles["ar"].heard_rate[1] < german[1]
    assert default_profile("nl").heard_rate[0] > german[0]
    assert profiles["sw"].heard_rate == default_profile("vi").heard_rate == (0, 0)


def test_language_without_profile_gets_defaults() -> None:
    """Dutch has no profile file: its default uses its own code for every engine, its names from the table."""
    profile = profile_for("nl", load_profiles([builtin_voices_dir()]))
    assert profile == default_profile("nl")
    assert (profile.gtts_lang, profile.espeak_voice, profile.iso639_2, profile.source) == (
        "nl",
        "nl",
        "nld",
        None,
    )
    assert (profile.name, profile.english_name, profile.script) == ("Nederlands", "Dutch", "latin")


COUNCIL_LANGUAGES = [
    "sq",
    "am",
    "ar",
    "bn",
    "zh-hans",
    "zh-hant",
    "yue",
    "prs",
    "en",
    "fa",
    "fr",
    "de",
    "gu",
    "hi",
    "it",
    "ku",
    "ckb",
    "lt",
    "ne",
    "ps",
    "pl",
    "pt",
    "pa",
    "ro",
    "ru",
    "so",
    "es",
    "sw",
    "ta",
    "ti",
    "tr",
    "uk",
    "ur",
    "vi",
    "cy",
]
SET = TEST_FIXTURES / "languages"
SHIPPED = sorted(load_profiles([builtin_voices_dir()]))


def test_a_profile_ships_for_every_council_language() -> None:
    """Each language councils translate into has a profile: its own name, its code, its script's voice settings."""
    from bulletins.text.language import english_name, native_name

    profiles = load_profiles([builtin_voices_dir()])
    assert set(COUNCIL_LANGUAGES) <= set(profiles)
    for code in COUNCIL_LANGUAGES:
        profile = profiles[code]
        assert profile.name == native_name(code), code
        assert profile.english_name == english_name(code), code
        # A language whose month names nobody here could spell says dates in digits.
        assert len(profile.months) in (0, 12), code
        assert not profile.digits or len(profile.digits) == 10, code


@pytest.mark.parametrize("code", SHIPPED)
def test_each_profile_discloses_its_synthetic_voice_in_its_own_script(code: str) -> None:
    """Every profile says, in its language's script, that a synthetic voice read the
    episode (``disclosure``), and says it in the feeds naming the voice (``feed_voice``)."""
    from string import Formatter

    from bulletins.text.scripts import dominant_script

    profile = load_profiles([builtin_voices_dir()])[code]
    for role, allowed in (("disclosure", set()), ("feed_voice", {"engine"})):
        phrase = profile.phrases.get(role, "")
        assert phrase.strip(), (code, role)
        names = {name for _, name, _, _ in Formatter().parse(phrase) if name is not None}
        assert names <= allowed, (code, role, names)
        assert dominant_script(phrase.replace("{engine}", "")) == profile.script, (code, role)
    assert "{engine}" in profile.phrases["feed_voice"], code


@pytest.fixture(scope="module")
def council_edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One edition of one article in each shipped profile's language, declared by file name, built with tones."""
    from bulletins.build import build
    from bulletins.settings import Settings

    root = tmp_path_factory.mktemp("council")
    edition = root / "content" / "2026-05-languages"
    edition.mkdir(parents=True)
    for code in SHIPPED:
        (edition / f"notice.{code}.txt").write_bytes((SET / f"{code}.txt").read_bytes())
    report = build(
        Settings(
            content_dir=root / "content",
            out_dir=root / "audio",
            engine="tone",
            cache_dir=root / "cache",
            workers=2,
        )
    )
    assert report.ok, report.errors
    return root / "audio" / "2026-05-languages"


def _expected_announcements(code: str) -> tuple[list[str], list[str]]:
    """A profile's announcements for a one-article bulletin of May 2026: before and after the article."""
    from bulletins.settings import Settings
    from bulletins.text.segment import spoken_date

    profile = load_profiles([builtin_voices_dir()])[code]
    values = {
        "bulletin": Settings().bulletin,
        "date": profile.numerals(spoken_date("2026-05", profile)),
        "count": profile.numerals(1),
    }
    phrases = profile.phrases
    before = [
        phrases.get(role, "").format(**values, number=profile.numerals(1))
        for role in ("opening", "contents", "before_article")
    ]
    after = [phrases.get(role, "").format(**values) for role in ("closing", "disclosure")]
    return [p for p in before if p], [p for p in after if p]


@pytest.mark.parametrize("code", SHIPPED)
def test_each_profile_builds_a_bulletin_that_announces_itself_in_order(
    council_edition: Path, code: str
) -> None:
    """The bulletin's transcript holds the profile's opening, count, "Article 1 of 1", headline, closing and disclosure, in order."""
    import webvtt

    from bulletins.text.content import parse_txt

    vtt = council_edition / f"2026-05-languages.{code}.vtt"
    texts = [" ".join(cue.text.split()) for cue in webvtt.read(str(vtt))]
    before, after = _expected_announcements(code)
    headline = " ".join(parse_txt((SET / f"{code}.txt").read_text(encoding="utf-8"))[1][0].split())
    assert texts[: len(before)] == [" ".join(p.split()) for p in before]
    assert texts[len(before)] == headline
    assert texts[len(texts) - len(after) :] == [" ".join(p.split()) for p in after]
    digits = load_profiles([builtin_voices_dir()])[code].digits
    if digits and len(before) > 1:
        # "Article 1 of 1" and the count are said in the language's own digits.
        assert any(digits[1] in text for text in texts[1 : len(before)])
        assert not any("1" in text for text in texts[1 : len(before)])


def test_japanese_is_not_spelled_out_by_a_voice_that_cannot_read_kanji() -> None:
    """eSpeak NG reads kana but not kanji: the Japanese profile leaves it out, so the error names Google's voice."""
    from bulletins.options import engine_choice
    from bulletins.settings import Settings

    profile = load_profiles([builtin_voices_dir()])["ja"]
    choice = engine_choice(Settings(engine="espeak"))
    assert not choice.can_speak(profile)
    assert choice.why_not(profile).startswith(
        "Google's voice speaks Japanese when it can be reached"
    )
