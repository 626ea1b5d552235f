"""Identification on the team's multilingual set: right, refused and wrong, per language.

Each article of tests/fixtures/languages/ (one per language, written by the team,
named by its language code) is read with no language declared and identified as a
build identifies it. Printed beside it: what lingua alone, over every language it
knows, would have said, which is what bulletins did before the script check.

    python benchmarks/languages.py
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

from lingua import LanguageDetectorBuilder

from bulletins import options
from bulletins.settings import Settings
from bulletins.text.content import read_article
from bulletins.text.language import Refused, english_name, known, parent_of

SET = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "languages"


def main() -> int:
    identification = options.identification(Settings())
    lingua = LanguageDetectorBuilder.from_all_languages().build()
    rows = []
    started = time.perf_counter()
    for path in sorted(SET.glob("*.txt")):
        article = read_article(path, options.read_options(Settings(), {}), known)
        text = dataclasses.replace(article, language=None).text
        code = path.stem
        try:
            found = identification.identify(text)
            outcome = "right" if found.language == code else "WRONG"
            detail = f"{found.language} by {found.how}"
        except Refused as refused:
            outcome = "refused"
            detail = f"{' or '.join(refused.candidates)}? {refused.reason}"
        alone = lingua.detect_language_of(text)
        lingua_says = alone.iso_code_639_1.name.lower() if alone else "none"
        # lingua's "zh" is right for Simplified and Traditional Chinese alike.
        if parent_of(code) == lingua_says:
            lingua_says = code
        rows.append((code, outcome, detail, lingua_says))
    elapsed = time.perf_counter() - started

    print(f"identification of {len(rows)} articles, one per language, none declared\n")
    print(f"{'language':<24} {'code':<8} {'result':<8} {'lingua alone':<13} how")
    for code, outcome, detail, lingua_says in rows:
        mark = lingua_says if lingua_says == code else f"{lingua_says} (wrong)"
        print(f"{english_name(code):<24} {code:<8} {outcome:<8} {mark:<13} {detail}")
    right = sum(outcome == "right" for _, outcome, _, _ in rows)
    refused = sum(outcome == "refused" for _, outcome, _, _ in rows)
    wrong = sum(outcome == "WRONG" for _, outcome, _, _ in rows)
    lingua_wrong = sum(lingua_says != code for code, _, _, lingua_says in rows)
    print(
        f"\nright {right} ({right / len(rows):.0%}), refused {refused}, wrong {wrong}"
        f"   target: wrong 0, right >= 90%   {'met' if wrong == 0 and right >= 0.9 * len(rows) else 'NOT MET'}"
    )
    print(f"lingua alone: {lingua_wrong} of {len(rows)} in the wrong language or none")
    print(f"{elapsed / len(rows) * 1000:.0f} ms an article, models loaded on first use included")
    return 0 if wrong == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
