"""Profiles: what bulletins knows about each language before it reads a word.

``languages`` is the table of languages and their scripts (``languages.toml``);
``profile`` reads the voice profiles in ``voices/`` (engines, rate, pauses, phrases,
dates); ``lexicon`` reads each language's pronunciation lexicon.
"""
