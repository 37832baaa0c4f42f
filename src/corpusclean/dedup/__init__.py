"""Near-duplicate detection: within a page, across the corpus, and whole pages."""
