"""Speech: sentences become clips in the clip cache.

``engines`` are the voices (eSpeak NG, Piper, Google, a test tone) behind one Protocol;
``choice`` picks the engine for each language; ``synthesis`` speaks every missing clip,
offline engines in worker processes and the online one with ``throttle`` keeping its
requests polite; ``coverage`` reports what each language gets.
"""
