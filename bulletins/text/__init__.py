"""Text: an article file becomes the sentences a voice will say.

In order: ``content`` reads and cleans the file; ``scripts``, ``identifiers`` and
``language`` tell its language; ``segment`` splits it into sentences and says dates
and numbers; ``pronounce`` rewrites what a voice would misread.
"""
