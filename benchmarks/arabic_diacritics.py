"""Does Piper's Arabic diacritiser help eSpeak NG read Arabic? A measurement.

Arabic is written without most of its vowels; a reader supplies them from grammar
and sense. eSpeak NG guesses them from its dictionary and rules. Piper ships an
offline diacritiser (libtashkeel's model) that writes the vowels in first.

Method: ten news sentences, vowelled by hand, are the reference. eSpeak NG turns
three versions of each into phonemes: the hand-vowelled text, the bare text (as
articles are written), and the bare text after the diacritiser. The phoneme error
rate of each version against the hand-vowelled one's phonemes (edit distance over
the reference length) says how far eSpeak NG's reading is from the right one.

Run: python benchmarks/arabic_diacritics.py   (needs: pip install 'bulletins[piper]')
"""

from __future__ import annotations

import re
import unicodedata

from piper import espeakbridge
from piper.phonemize_espeak import ESPEAK_DATA_DIR
from piper.tashkeel import TashkeelDiacritizer

REFERENCE = [
    "ذَهَبَ الْوَلَدُ إِلَى الْمَدْرَسَةِ صَبَاحًا.",
    "أَعْلَنَتِ الشُّرْطَةُ عَنْ خُطَّةٍ جَدِيدَةٍ لِحِمَايَةِ السُّكَّانِ.",
    "سَيُعْقَدُ الِاجْتِمَاعُ فِي قَاعَةِ الْمَدِينَةِ يَوْمَ الْخَمِيسِ.",
    "دَعَا الْمُفَوَّضُ الْمُوَاطِنِينَ إِلَى الْمُشَارَكَةِ فِي الْحِوَارِ.",
    "تَعْمَلُ الْبَلَدِيَّةُ مَعَ الْمَدَارِسِ لِتَحْسِينِ سَلَامَةِ الطُّرُقِ.",
    "قَالَ الْمُتَحَدِّثُ إِنَّ الْجَرَائِمَ انْخَفَضَتْ هَذَا الْعَامَ.",
    "يُمْكِنُ لِلسُّكَّانِ الْإِبْلَاغُ عَنِ الْحَوَادِثِ عَبْرَ الْهَاتِفِ.",
    "سَتُغْلَقُ الْمَكْتَبَةُ يَوْمَ الِاثْنَيْنِ لِإِصْلَاحِ السَّقْفِ.",
    "شَكَرَ الرَّئِيسُ جَمِيعَ الشُّرَكَاءِ عَلَى جُهُودِهِمْ.",
    "تُقَدِّمُ الْخِدْمَاتُ الصِّحِّيَّةُ الدَّعْمَ لِلضَّحَايَا.",
]
_MARKS = re.compile("[\u064b-\u0652\u0670]")


def phonemes(text: str) -> str:
    clauses = espeakbridge.get_phonemes(text)
    return unicodedata.normalize("NFD", "".join(p for p, _, _ in clauses).replace(" ", ""))


def distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def _marks(text: str) -> list[tuple[str, frozenset[str]]]:
    """Each letter with the set of vowel marks on it."""
    pairs = re.findall(r"([^\u064b-\u0652\u0670])([\u064b-\u0652\u0670]*)", text)
    return [(letter, frozenset(marks)) for letter, marks in pairs]


def main() -> None:
    espeakbridge.initialize(str(ESPEAK_DATA_DIR))
    espeakbridge.set_voice("ar")
    diacritise = TashkeelDiacritizer()
    errors = {"bare": 0, "diacritised": 0}
    total = 0
    marks_right = marks_total = 0
    for sentence in REFERENCE:
        bare = _MARKS.sub("", sentence)
        guessed = diacritise(bare)
        target = phonemes(sentence)
        total += len(target)
        errors["bare"] += distance(phonemes(bare), target)
        errors["diacritised"] += distance(phonemes(guessed), target)
        # Vowel marks the diacritiser got right, letter by letter.
        for (_, want), (_, have) in zip(_marks(sentence), _marks(guessed), strict=False):
            if want:
                marks_total += 1
                marks_right += want == have
    print(f"{len(REFERENCE)} hand-vowelled sentences, {total} reference phonemes")
    for name, count in errors.items():
        print(f"  eSpeak NG reading the {name:11} text: phoneme error rate {count / total:6.1%}")
    print(
        f"  diacritiser: {marks_right}/{marks_total} letters' vowel marks as in the reference ({marks_right / marks_total:.0%})"
    )


if __name__ == "__main__":
    main()
