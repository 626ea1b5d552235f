"""Segmenting: sentences per language, clause splits within an engine's limit, the script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import SEEDS
from hypothesis import given
from hypothesis import strategies as st

from bulletins.errors import ContentError
from bulletins.model import Article, SegmentKind
from bulletins.profiles.profile import builtin_voices_dir, load_profiles, profile_for
from bulletins.settings import Settings
from bulletins.text.content import ReadOptions, read_article
from bulletins.text.language import known
from bulletins.text.segment import article_script, script_runs, sentences, split_long

PROFILES = load_profiles([builtin_voices_dir()])
IT = PROFILES["it"].abbreviations
AR = PROFILES["ar"].abbreviations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Il Dott. Rossi è arrivato. Poi è partito.",
            ["Il Dott. Rossi è arrivato.", "Poi è partito."],
        ),
        (
            "La Sig.ra Bianchi ha parlato. Tutti hanno applaudito.",
            ["La Sig.ra Bianchi ha parlato.", "Tutti hanno applaudito."],
        ),
        (
            "Vedi il bando n. 4 del comune. Scade domani.",
            ["Vedi il bando n. 4 del comune.", "Scade domani."],
        ),
        (
            "Il tasso è salito al 3.5 per cento. Un record.",
            ["Il tasso è salito al 3.5 per cento.", "Un record."],
        ),
        ("Il tasso è al 3,5 per cento. Stabile.", ["Il tasso è al 3,5 per cento.", "Stabile."]),
        (
            "L'incontro è alle 10.30 in municipio. Ingresso libero.",
            ["L'incontro è alle 10.30 in municipio.", "Ingresso libero."],
        ),
        ("Ci sono mele, pere ecc. e altro ancora.", ["Ci sono mele, pere ecc. e altro ancora."]),
        ("Davvero? Sì! Bene.", ["Davvero?", "Sì!", "Bene."]),
    ],
)
def test_italian_sentences(text: str, expected: list[str]) -> None:
    """Italian abbreviations, decimals and times do not end a sentence."""
    assert sentences(text, "it", IT) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "قال الرئيس، في بيان، إن الوضع جيد. ثم غادر.",
            ["قال الرئيس، في بيان، إن الوضع جيد.", "ثم غادر."],
        ),
        ("هل هذا صحيح؟ نعم؛ بالتأكيد!", ["هل هذا صحيح؟", "نعم؛ بالتأكيد!"]),
        ("ذهب د. أحمد إلى ساري. ثم عاد.", ["ذهب د. أحمد إلى ساري.", "ثم عاد."]),
        (
            "بلغت النسبة 3.5 في المئة. وهذا رقم قياسي.",
            ["بلغت النسبة 3.5 في المئة.", "وهذا رقم قياسي."],
        ),
    ],
)
def test_arabic_sentences(text: str, expected: list[str]) -> None:
    """The Arabic comma and semicolon do not end a sentence; ؟ does; د. is a title."""
    assert sentences(text, "ar", AR) == expected


@pytest.mark.parametrize(
    ("sentence", "limit", "chunks"),
    [
        ("Short sentence.", 100, ["Short sentence."]),
        (
            "First clause, second clause; third clause.",
            20,
            ["First clause,", "second clause;", "third clause."],
        ),
        (
            "الجملة الأولى، والجملة الثانية؛ والثالثة.",
            20,
            ["الجملة الأولى،", "والجملة الثانية؛", "والثالثة."],
        ),
        ("one two three four five six", 10, ["one two", "three four", "five six"]),
    ],
)
def test_split_long(sentence: str, limit: int, chunks: list[str]) -> None:
    """Long sentences split at clause punctuation first, then between words."""
    assert split_long(sentence, limit) == chunks


def test_a_word_longer_than_the_limit_is_an_error() -> None:
    """A word is never cut: one too long for the engine is an error."""
    with pytest.raises(ContentError, match="longer than the voice's limit of 10"):
        split_long("a verylongwordindeed b", 10)


words = st.text(alphabet=st.sampled_from("abcdeèلمن"), min_size=1, max_size=10)
punct = st.sampled_from(["", ",", ";", ":", "،", "؛", "."])
sentence_strategy = st.lists(st.tuples(words, punct), min_size=1, max_size=60).map(
    lambda pairs: " ".join(w + p for w, p in pairs)
)


@given(sentence_strategy, st.integers(min_value=12, max_value=120))
def test_split_long_properties(sentence: str, limit: int) -> None:
    """Chunks never exceed the limit, never cut a word, and join back to the sentence."""
    chunks = split_long(sentence, limit)
    assert all(0 < len(chunk) <= limit for chunk in chunks)
    assert " ".join(chunks) == sentence


@pytest.mark.parametrize("language", ["it", "ar"])
def test_seed_script(language: str) -> None:
    """A seed's script: the headline, then sentences; pauses as the profile says; within the limit."""
    profile = PROFILES[language]
    article = read_article(
        SEEDS[language], ReadOptions(Settings().max_article_bytes, debris=profile.debris), known
    )
    script = article_script(article, 0, profile, 100)
    headline = [s for s in script if s.paragraph == -1]
    assert {s.kind for s in headline} == {SegmentKind.HEADLINE}
    assert headline[-1].pause_after_ms == profile.pauses.headline
    assert {s.pause_after_ms for s in headline[:-1]} <= {profile.pauses.clause}
    assert script[-1].pause_after_ms == profile.pauses.article
    assert all(len(s.spoken) <= 100 for s in script)
    sentence_ends = [s for s in script[1:-1] if s.kind is SegmentKind.SENTENCE]
    assert {s.pause_after_ms for s in sentence_ends} == {
        profile.pauses.sentence,
        profile.pauses.paragraph,
    }
    # Every word of the article is written in the script and spoken, once, in order;
    # a run read by another voice is spoken without the punctuation of the article's script.
    assert " ".join(s.text for s in script if s.text).split() == article.text.split()
    assert re.sub(r"\W", "", "".join(s.spoken for s in script)) == re.sub(r"\W", "", article.text)


@pytest.mark.parametrize(
    ("language", "iso", "spoken"),
    [
        ("it", "2026-05", "maggio 2026"),
        ("it", "2026-05-14", "14 maggio 2026"),
        ("ar", "2026-05-14", "14 مايو 2026"),
        ("en", "2026-11-03", "3 November 2026"),
        ("fr", "2026-11-03", "3 novembre 2026"),
        ("zh-hans", "2026-11-03", "2026年11月3日"),
        ("nl", "2026-11-03", "2026-11-03"),
        ("it", None, ""),
        ("it", "soon", "soon"),
    ],
)
def test_spoken_date(language: str, iso: str | None, spoken: str) -> None:
    """Dates are said the local way where the profile names the months, and left as they are otherwise."""
    from bulletins.profiles.profile import profile_for
    from bulletins.text.segment import spoken_date

    assert spoken_date(iso, profile_for(language, PROFILES)) == spoken


@pytest.mark.parametrize(
    ("language", "text", "runs"),
    [
        (
            "ar",
            "قال مفوض الشرطة في Surrey، إن الاجتماع مهم.",
            [("قال مفوض الشرطة في", None), ("Surrey،", "en"), ("إن الاجتماع مهم.", None)],
        ),
        (
            "ar",
            "تبث BBC Radio Surrey النشرة في 2026.",
            [("تبث", None), ("BBC Radio Surrey", "en"), ("النشرة في 2026.", None)],
        ),
        ("ar", "رقم 101 للطوارئ.", [("رقم 101 للطوارئ.", None)]),
        (
            "it",
            "Il sindaco ha detto «أهلا وسهلا» ai nuovi arrivati.",
            [("Il sindaco ha detto", None), ("«أهلا وسهلا»", "ar"), ("ai nuovi arrivati.", None)],
        ),
        (
            "en",
            "The PCC for Surrey, Lisa Townsend, spoke.",
            [("The PCC for Surrey, Lisa Townsend, spoke.", None)],
        ),
        ("ur", "پولیس Surrey میں", [("پولیس", None), ("Surrey", "en"), ("میں", None)]),
        ("zh", "警察 Surrey 会议", [("警察", None), ("Surrey", "en"), ("会议", None)]),
    ],
)
def test_script_runs(language: str, text: str, runs: list[tuple[str, str | None]]) -> None:
    """Runs in another script go to the voice the profile names for it; numbers stay with the text around them."""
    assert script_runs(text, profile_for(language, PROFILES)) == runs


def test_latin_name_in_arabic_is_its_own_segment() -> None:
    """In the Arabic seed, "Surrey" is a segment for the English voice, a short gap either side, inside its sentence."""
    profile = PROFILES["ar"]
    article = read_article(
        SEEDS["ar"], ReadOptions(Settings().max_article_bytes, debris=profile.debris), known
    )
    script = article_script(article, 0, profile, 100)
    english = [s for s in script if s.language == "en"]
    assert [s.spoken for s in english] == ["Surrey", "Surrey."]
    for run in english:
        position = script.index(run)
        before = script[position - 1]
        assert before.pause_after_ms == profile.pauses.voice_change
        assert before.sentence == run.sentence and before.language is None
        if run.kind is SegmentKind.CLAUSE:  # the sentence goes on in Arabic
            after = script[position + 1]
            assert run.pause_after_ms == profile.pauses.voice_change
            assert after.sentence == run.sentence and after.language is None


def test_paragraph_in_another_language_is_split_by_its_profile() -> None:
    """A paragraph marked Arabic in an Italian article is spoken in Arabic, sentence by sentence."""
    article = Article(
        path=Path("notice.it.txt"),
        stem="notice",
        headline="Avviso",
        paragraphs=(
            "La biblioteca chiude lunedì.",
            "ستغلق المكتبة يوم الاثنين. ستفتح يوم الثلاثاء.",
        ),
        language="it",
        paragraph_languages=(None, "ar"),
    )
    script = article_script(article, 0, PROFILES["it"], 100, lambda code: PROFILES[code])
    assert [(s.spoken, s.language) for s in script] == [
        ("Avviso", None),
        ("La biblioteca chiude lunedì.", None),
        ("ستغلق المكتبة يوم الاثنين.", "ar"),
        ("ستفتح يوم الثلاثاء.", "ar"),
    ]


# Each script's own sentence ends: (language, paragraph, sentences).
SCRIPT_SENTENCES = [
    (
        "zh-hans",
        "今天图书馆开放。明天休息！你来吗？好的",
        ["今天图书馆开放。", "明天休息！", "你来吗？", "好的"],
    ),
    (
        "zh-hant",
        "今天圖書館開放．明天休息！你來嗎？",
        ["今天圖書館開放．", "明天休息！", "你來嗎？"],
    ),
    (
        "ja",
        "図書館は開館します。明日は休館です！来ますか？",
        ["図書館は開館します。", "明日は休館です！", "来ますか？"],
    ),
    (
        "hi",
        "पुस्तकालय खुला है। कल बंद रहेगा॥ क्या आप आएँगे?",
        ["पुस्तकालय खुला है।", "कल बंद रहेगा॥", "क्या आप आएँगे?"],
    ),
    ("ne", "पुस्तकालय खुला छ। भोलि बन्द हुन्छ।", ["पुस्तकालय खुला छ।", "भोलि बन्द हुन्छ।"]),
    ("bn", "গ্রন্থাগার খোলা। কাল বন্ধ থাকবে।", ["গ্রন্থাগার খোলা।", "কাল বন্ধ থাকবে।"]),
    ("pa", "ਲਾਇਬ੍ਰੇਰੀ ਖੁੱਲ੍ਹੀ ਹੈ। ਕੱਲ੍ਹ ਬੰਦ ਰਹੇਗੀ।", ["ਲਾਇਬ੍ਰੇਰੀ ਖੁੱਲ੍ਹੀ ਹੈ।", "ਕੱਲ੍ਹ ਬੰਦ ਰਹੇਗੀ।"]),
    ("gu", "પુસ્તકાલય ખુલ્લું છે। કાલે બંધ રહેશે।", ["પુસ્તકાલય ખુલ્લું છે।", "કાલે બંધ રહેશે।"]),
    (
        "ur",
        "لائبریری کھلی ہے۔ کیا آپ آئیں گے؟ جی ہاں",
        ["لائبریری کھلی ہے۔", "کیا آپ آئیں گے؟", "جی ہاں"],
    ),
    ("ar", "المكتبة مفتوحة. هل ستأتي؟ نعم؛ سآتي", ["المكتبة مفتوحة.", "هل ستأتي؟", "نعم؛ سآتي"]),
    ("am", "ቤተ መጻሕፍቱ ክፍት ነው። ነገ ይዘጋል፧ አዎ", ["ቤተ መጻሕፍቱ ክፍት ነው።", "ነገ ይዘጋል፧", "አዎ"]),
    ("ti", "እቲ ቤት መጻሕፍቲ ክፉት እዩ። ጽባሕ ይዕጾ።", ["እቲ ቤት መጻሕፍቲ ክፉት እዩ።", "ጽባሕ ይዕጾ።"]),
    ("hy", "Գրադարանը բաց է։ Վաղը փակ կլինի։", ["Գրադարանը բաց է։", "Վաղը փակ կլինի։"]),
    ("my", "စာကြည့်တိုက် ဖွင့်ထားသည်။ မနက်ဖြန် ပိတ်မည်။", ["စာကြည့်တိုက် ဖွင့်ထားသည်။", "မနက်ဖြန် ပိတ်မည်။"]),
    ("el", "Θα έρθετε\u037e Ναι, θα έρθω. Ωραία!", ["Θα έρθετε;", "Ναι, θα έρθω.", "Ωραία!"]),
    ("th", "ห้องสมุดเปิดแล้ว พรุ่งนี้ปิด 2026 คุณจะมาไหม", ["ห้องสมุดเปิดแล้ว", "พรุ่งนี้ปิด 2026", "คุณจะมาไหม"]),
]


@pytest.mark.parametrize(
    ("language", "paragraph", "expected"), SCRIPT_SENTENCES, ids=[c[0] for c in SCRIPT_SENTENCES]
)
def test_sentences_end_where_each_script_ends_them(
    language: str, paragraph: str, expected: list[str]
) -> None:
    """。！？, । ॥, ۔, ። ፧, ։, ။, the Greek question mark; Thai at the spaces between phrases."""
    import unicodedata

    # Articles are NFC-normalised when read, which makes the Greek question mark ";".
    assert sentences(unicodedata.normalize("NFC", paragraph), language) == expected


CHINESE = (
    "沃金市议会今天宣布，从下周一起，图书馆将延长开放时间，周一至周五每天开放到晚上八点，"
    "周六和周日开放到下午五点；议会表示：这一变化将为当地居民和学生带来很大便利、尤其是需要安静学习空间的人。"
)


def test_chinese_is_chunked_at_its_clause_marks() -> None:
    """The online voice's 100-character chunks split at 、，；： and rejoin without spaces."""
    chunks = split_long(CHINESE, 40)
    assert all(len(chunk) <= 40 for chunk in chunks)
    assert "".join(chunks) == CHINESE
    assert all(chunk[-1] in "、，；：。" for chunk in chunks)


def test_a_chinese_run_without_marks_is_split_between_characters() -> None:
    """A clause longer than the limit with no mark at all is split between characters, not refused."""
    run = "图书馆" * 50
    chunks = split_long(run, 100)
    assert [len(chunk) for chunk in chunks] == [100, 50]
    assert "".join(chunks) == run


def test_a_latin_word_longer_than_the_limit_is_still_refused() -> None:
    """In a script with spaces a word is never split: too long is an error."""
    with pytest.raises(ContentError, match="longer than the voice's limit"):
        split_long("图书馆 " + "a" * 120, 100)


@given(st.text(alphabet="图书馆开放时间，、；：。的了在是", min_size=1, max_size=400))
def test_spaceless_chunks_fit_and_rejoin(text: str) -> None:
    """Chunks of text without spaces never exceed the limit and rejoin to the text."""
    chunks = split_long(text, 100)
    assert all(len(chunk) <= 100 for chunk in chunks)
    assert "".join(chunks) == text


@pytest.mark.parametrize(
    ("language", "paragraph", "expected"),
    [
        (
            "ru",
            "Он живёт в г. Москва на ул. Ленина. Это хорошо.",
            ["Он живёт в г. Москва на ул. Ленина.", "Это хорошо."],
        ),
        (
            "pl",
            "Spotkanie prowadzi prof. Nowak przy ul. Długiej. Zapraszamy.",
            ["Spotkanie prowadzi prof. Nowak przy ul. Długiej.", "Zapraszamy."],
        ),
    ],
)
def test_abbreviations_before_names_do_not_end_sentences(
    language: str, paragraph: str, expected: list[str]
) -> None:
    """A profile's titles (г., ул., prof., ul.) stand before a capitalised name, never at a sentence end."""
    profile = PROFILES[language]
    assert sentences(paragraph, language, profile.abbreviations, profile.titles) == expected
