"""Publishing: the history of episodes, and everything rewritten from it.

``history`` is the SQLite record of every episode published; ``publisher`` records a
build's episodes and rewrites, from the history, the podcast feeds (``feeds`` writes
what ``podcast`` says, with ``covers``), the feed list (``opml``), Alexa's briefings
(``briefing``) and the listening pages (``site``, its ``templates`` and ``static``
files); ``serve`` previews the output folder.
"""
