"""Pronunciation: built-in rules and the shipped lexicons give the spoken form, in Italian, Arabic and English."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write

from bulletins.errors import VoiceError
from bulletins.profiles.lexicon import Lexicon, load_lexicon
from bulletins.profiles.profile import builtin_voices_dir, load_profiles
from bulletins.text.pronounce import pronounce

PROFILES = load_profiles([builtin_voices_dir()])


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Il Dott. Rossi e la Sig.ra Bianchi.", "Il dottor Rossi e la signora Bianchi."),
        (
            "La Dott.ssa Verdi, il Prof. Neri ecc.",
            "La dottoressa Verdi, il professor Neri eccetera",
        ),
        ("Delibera n. 4 del 2026.", "Delibera numero 4 del 2026."),
        ("Sconto del 20% su tutto.", "Sconto del 20 per cento su tutto."),
        ("Costa € 15 o 12,50 €.", "Costa 15 euro o 12,50 euro."),
        ("Scrivete a info@comune-prato.it.", "Scrivete a info chiocciola comune prato punto it."),
        (
            "Leggi su https://www.comune.prato.it/notizie/123.",
            "Leggi su link comune punto prato punto it.",
        ),
        ("Chiamate lo 0574 183 6000.", "Chiamate lo 0 5 7 4, 1 8 3, 6 0 0 0."),
        ("Dal 05.06.2026, 0,5 litri e 2026 persone.", "Dal 05.06.2026, 0,5 litri e 2026 persone."),
        ("Leggi <b>tutto</b> qui.", "Leggi tutto qui."),
    ],
)
def test_italian(text: str, spoken: str) -> None:
    """Italian: abbreviations expanded, symbols said after the amount, links, e-mail and phones said readably."""
    assert pronounce(text, PROFILES["it"].lexicon) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Dr. Patel met Mr. Jones.", "Doctor Patel met Mister Jones."),
        ("St. Mary's Church on the High St.", "Saint Mary's Church on the High Street"),
        ("Crime fell by 12%.", "Crime fell by 12 percent."),
        ("Fines of £100 and $50.", "Fines of 100 pounds and 50 dollars."),
        (
            "Call 101, or 999 in an emergency.",
            "Call one oh one, or nine nine nine in an emergency.",
        ),
        ("Ring +44 1483 630200 today.", "Ring + 4 4, 1 4 8 3, 6 3 0 2 0 0 today."),
        ("Email press@surrey-pcc.gov.uk now.", "Email press at surrey pcc dot gov dot uk now."),
        ("See www.surrey-pcc.gov.uk.", "See link surrey pcc dot gov dot uk."),
        ("Bins, boxes etc. go out by 7am.", "Bins, boxes et cetera go out by 7am."),
    ],
)
def test_english(text: str, spoken: str) -> None:
    """English: titles, Saint and Street told apart, service numbers, symbols, addresses."""
    assert pronounce(text, PROFILES["en"].lexicon) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("قال د. أحمد إن الخطة جاهزة.", "قال الدكتور أحمد إن الخطة جاهزة."),
        ("حضر أ.د. سامي والمهندس علي.", "حضر الأستاذ الدكتور سامي والمهندس علي."),
        ("انخفضت الجرائم 30٪ هذا العام.", "انخفضت الجرائم 30 بالمئة هذا العام."),
        ("وصلت النسبة إلى 12%.", "وصلت النسبة إلى 12 بالمئة."),
        ("الغرامة £50 أو €40.", "الغرامة 50 جنيه إسترليني أو 40 يورو."),
        (
            "راجعوا https://www.surrey-pcc.gov.uk/ar للمزيد.",
            "راجعوا رابط surrey pcc dot gov dot uk للمزيد.",
        ),
        ("راسلونا على info@surrey.police.uk", "راسلونا على info at surrey dot police dot uk"),
        ("اتصلوا على 01483 630200.", "اتصلوا على 0 1 4 8 3, 6 3 0 2 0 0."),
    ],
)
def test_arabic(text: str, spoken: str) -> None:
    """Arabic: titles expanded, both percent signs, currencies, and addresses left in Latin for the English voice."""
    assert pronounce(text, PROFILES["ar"].lexicon) == spoken


def test_without_a_lexicon_links_are_their_site_and_symbols_are_left_to_the_voice() -> None:
    """A language with no lexicon still hears links as their site, and phone numbers as digits."""
    assert (
        pronounce("Voir https://www.ville.fr/info, 50 %, tél. 01 23 45 67 89.")
        == "Voir ville.fr, 50 %, tél. 0 1, 2 3, 4 5, 6 7, 8 9."
    )


def test_a_users_lexicon_adds_to_the_shipped_one(tmp_path: Path) -> None:
    """A lexicon in the user's voices folder wins word by word; the shipped entries it does not name stay."""
    write(
        tmp_path / "voices" / "lexicons" / "it.toml",
        '[say]\npercent = "percento"\n\n[words]\n"PCC" = "pi ci ci"\n\n'
        "[[rules]]\npattern = 'Surrey'\nreplace = 'Sarri'\n",
    )
    lexicon = load_profiles([tmp_path / "voices", builtin_voices_dir()])["it"].lexicon
    assert (
        pronounce("Il Dott. Rossi del PCC di Surrey: 5%.", lexicon)
        == "Il dottor Rossi del pi ci ci di Sarri: 5 percento."
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[say]\nhello = 'ciao'\n", "unknown word(s) in [say]: hello"),
        (
            "[[rules]]\npattern = '(unclosed'\nreplace = ''\n",
            "rules[1] pattern '(unclosed' is invalid",
        ),
        ("[sounds]\n", "unknown key(s) sounds"),
        ("[words\n", "is not a readable TOML lexicon"),
    ],
)
def test_bad_lexicon_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    """A broken lexicon names its file and what is wrong."""
    path = write(tmp_path / "it.toml", content)
    with pytest.raises(VoiceError, match=str(path)) as error:
        load_lexicon(path)
    assert message in str(error.value)


def test_empty_lexicon_changes_nothing_but_markup() -> None:
    """Plain text passes through untouched."""
    assert (
        pronounce("Plain text, nothing to change.", Lexicon()) == "Plain text, nothing to change."
    )
