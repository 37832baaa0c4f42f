"""corpusclean: turn scraped web text into a clean corpus, with every removal explained.

    import corpusclean
    cleaned = corpusclean.clean(page)                          # one document: .text, .report
    summary = corpusclean.run("pages/", "clean/", lang="en")   # what `corpusclean run` does
"""

import os as _os
import sys as _sys

# numpy's OpenBLAS starts a thread for every core but one when numpy loads, and each spins
# about 0.1 CPU-s waiting for work before it sleeps: a tenth of what a 2-worker run's
# coordinating process spends in all (and a CPU-second per ten one-page runs). corpusclean's
# arrays are far too small for BLAS to split them among threads, and its workers are processes,
# so unless the program chose a number itself, or has loaded numpy already, OpenBLAS starts none
if "numpy" not in _sys.modules:
    _os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"

from .collector import paused  # noqa: E402

# after __version__, which the report records; the collector paused while the package's
# modules make their tables (collector.py)
with paused():
    from .api import run  # noqa: E402
    from .cleaner import Cleaned, Cleaner, clean  # noqa: E402
    from .config import RunConfig  # noqa: E402
    from .errors import InputError, UsageError  # noqa: E402
    from .model import Document, DocumentMeta, Removal  # noqa: E402
    from .report import Summary  # noqa: E402

__all__ = ["__version__", "clean", "Cleaner", "Cleaned", "run", "RunConfig", "Summary",
           "Document", "DocumentMeta", "Removal", "InputError", "UsageError"]
