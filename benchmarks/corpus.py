"""A generated corpus for the benchmarks: many articles of 300+ words in several languages.

Every sentence carries its own number, so no two sentences are the same and the clip
cache cannot make a cold build cheaper by speaking a repeated sentence once.
"""

from __future__ import annotations

import random
from pathlib import Path

from bulletins.build import Report, build
from bulletins.settings import Settings

TEMPLATES: dict[str, list[str]] = {
    "it": [
        "Il consiglio della contea ha stanziato {n} mila euro per migliorare la sicurezza nelle strade del centro.",
        "Secondo la polizia, nel quartiere di {place} i furti sono diminuiti del {p} per cento rispetto all'anno scorso.",
        "Gli operatori dei servizi sociali hanno incontrato {n} famiglie durante le visite della settimana.",
        "La commissaria ha ricordato che ogni organizzazione ha un ruolo nel ridurre i danni alle comunità.",
        "Il nuovo accordo prevede {n} incontri pubblici all'anno, aperti a tutti i residenti di {place}.",
        "Chi ha bisogno di aiuto può chiamare il numero dedicato, attivo dalle otto alle venti.",
        "Le scuole di {place} parteciperanno a un progetto sulla sicurezza online che coinvolge {n} studenti.",
    ],
    "ar": [
        "خصص مجلس المقاطعة {n} ألف جنيه لتحسين السلامة في شوارع وسط المدينة.",
        "قالت الشرطة إن السرقات في حي {place} انخفضت بنسبة {p} في المئة مقارنة بالعام الماضي.",
        "التقى العاملون في الخدمات الاجتماعية بـ {n} عائلة خلال زيارات الأسبوع.",
        "ذكّرت المفوضة بأن لكل منظمة دورًا في الحد من الضرر الذي يلحق بالمجتمعات.",
        "ينص الاتفاق الجديد على {n} اجتماعات عامة كل عام، مفتوحة لجميع سكان {place}.",
        "يمكن لمن يحتاج إلى المساعدة الاتصال بالرقم المخصص، المتاح من الثامنة صباحًا حتى الثامنة مساءً.",
    ],
    "en": [
        "The county council has set aside {n} thousand pounds to make the town centre streets safer.",
        "Police say burglaries in {place} fell by {p} per cent compared with last year.",
        "Social care staff met {n} families during this week's home visits.",
        "The commissioner said every organisation has a part to play in reducing harm to our communities.",
        "The new agreement sets out {n} public meetings a year, open to every resident of {place}.",
        "Anyone who needs help can call the dedicated line, open from eight in the morning to eight at night.",
        "Schools in {place} will join an online safety project reaching {n} pupils.",
    ],
    "fr": [
        "Le conseil du comté a débloqué {n} mille livres pour sécuriser les rues du centre-ville.",
        "Selon la police, les cambriolages à {place} ont baissé de {p} pour cent par rapport à l'an dernier.",
        "Les travailleurs sociaux ont rencontré {n} familles lors des visites de la semaine.",
        "La commissaire a rappelé que chaque organisation a un rôle à jouer pour réduire les dommages.",
        "Le nouvel accord prévoit {n} réunions publiques par an, ouvertes à tous les habitants de {place}.",
        "Toute personne ayant besoin d'aide peut appeler la ligne dédiée, ouverte de huit heures à vingt heures.",
    ],
    "es": [
        "El consejo del condado ha destinado {n} mil libras a mejorar la seguridad en las calles del centro.",
        "Según la policía, los robos en {place} bajaron un {p} por ciento respecto al año pasado.",
        "El personal de servicios sociales se reunió con {n} familias durante las visitas de la semana.",
        "La comisionada recordó que cada organización tiene un papel en la reducción de los daños.",
        "El nuevo acuerdo prevé {n} reuniones públicas al año, abiertas a todos los vecinos de {place}.",
        "Quien necesite ayuda puede llamar a la línea dedicada, abierta de ocho de la mañana a ocho de la noche.",
    ],
    "de": [
        "Der Kreisrat hat {n} tausend Pfund bereitgestellt, um die Straßen der Innenstadt sicherer zu machen.",
        "Nach Angaben der Polizei gingen die Einbrüche in {place} um {p} Prozent gegenüber dem Vorjahr zurück.",
        "Die Mitarbeiter der Sozialdienste haben in dieser Woche {n} Familien zu Hause besucht.",
        "Die Beauftragte sagte, dass jede Organisation dazu beitragen kann, Schaden von den Gemeinden abzuwenden.",
        "Die neue Vereinbarung sieht {n} öffentliche Versammlungen im Jahr vor, offen für alle Einwohner von {place}.",
        "Wer Hilfe braucht, kann die Beratungsstelle von acht Uhr morgens bis acht Uhr abends anrufen.",
    ],
}
PLACES = ["Guildford", "Woking", "Epsom", "Dorking", "Reigate", "Redhill", "Camberley", "Farnham"]


def article_text(language: str, number: int, min_words: int, rng: random.Random) -> str:
    """A headline and paragraphs of unique sentences, at least ``min_words`` long."""
    templates = TEMPLATES[language]
    counter = number * 10_000

    def sentence() -> str:
        nonlocal counter
        counter += 1
        template = rng.choice(templates)
        if "{n}" not in template:
            template = template[:-1] + " ({n})" + template[-1]
        return template.format(n=counter, p=counter % 97, place=rng.choice(PLACES))

    paragraphs: list[str] = []
    words = 0
    while words < min_words:
        paragraph = " ".join(sentence() for _ in range(4))
        words += len(paragraph.split())
        paragraphs.append(paragraph)
    return "\n\n".join([sentence().rstrip("."), *paragraphs]) + "\n"


def make_corpus(
    folder: Path,
    articles: int = 20,
    languages: tuple[str, ...] = ("it", "ar", "en", "fr", "es"),
    min_words: int = 320,
    seed: int = 1,
) -> int:
    """Write ``articles`` articles spread over ``languages`` into one edition; return the word count."""
    rng = random.Random(seed)
    edition = folder / "2026-06-benchmark-edition"
    edition.mkdir(parents=True, exist_ok=True)
    total = 0
    for number in range(articles):
        language = languages[number % len(languages)]
        text = article_text(language, number, min_words, rng)
        total += len(text.split())
        (edition / f"story-{number:02d}.{language}.txt").write_text(text, encoding="utf-8")
    return total


def built_alone(text: str, language: str, engine: str, work: Path) -> Report:
    """One article built alone by bulletins with one engine, no talking books, in a
    folder of its own under ``work`` (the clip cache shared): the build's report."""
    content = work / f"content-{language}-{engine}-{len(text)}"
    edition = content / "2026-06-01-alone"
    edition.mkdir(parents=True)
    (edition / f"article.{language}.txt").write_text(text, encoding="utf-8")
    settings = Settings(
        content_dir=content,
        out_dir=content.with_name(content.name.replace("content", "audio")),
        cache_dir=work / "cache",
        engine=engine,
        talking_books=False,
    )
    return build(settings)
