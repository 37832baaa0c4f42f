"""corpusclean: turn scraped web text into a clean corpus, with every removal explained."""

__version__ = "0.1.0"
