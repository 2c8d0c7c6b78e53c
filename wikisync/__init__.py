"""wikisync: keep structured pages and lists of several MediaWiki wikis in step."""

__version__ = "0.1.0"
