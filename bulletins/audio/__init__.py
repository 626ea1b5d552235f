"""Audio: clips become encoded pieces of episodes.

``mixing`` joins clips with their pauses and levels them; ``loudness`` measures BS.1770
loudness and true peak; ``codec`` is the only module that runs ffmpeg and reads MP3
frames; ``pieces`` is the worker job that encodes one piece into the piece cache.
"""
