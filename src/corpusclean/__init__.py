"""corpusclean: turn scraped web text into a clean corpus, with every removal explained.

    import corpusclean
    summary = corpusclean.run("pages/", "clean/", lang="en")   # what `corpusclean run` does
"""

__version__ = "0.1.0"

from .api import run  # noqa: E402  (after __version__, which the report records)
from .config import RunConfig  # noqa: E402
from .errors import UsageError  # noqa: E402
from .report import Summary  # noqa: E402

__all__ = ["__version__", "run", "RunConfig", "Summary", "UsageError"]
