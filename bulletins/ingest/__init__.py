"""Ingesting: web pages and feeds become article files of an edition.

``source`` is the entry point: ``fetch`` gets the page or feed within its limits,
``pages`` and ``items`` turn a page or each feed item into a draft, and ``articles``
writes the drafts as article files.
"""
