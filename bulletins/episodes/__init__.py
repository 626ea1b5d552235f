"""Episodes: plans of what each bulletin says, then its MP3 joined from pieces, tagged.

``plans`` scripts each article and its announcements; ``assembly`` encodes the missing
pieces and joins them into each episode, unless its file is already that episode;
``tags`` writes the ID3 tags and chapters, ``transcripts`` the WebVTT, SRT and chapters
JSON beside it.
"""
