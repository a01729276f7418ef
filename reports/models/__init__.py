"""Models of the reports app, one module per capability.

session_reports: reports, photos and comments (the news wall).
actions: initiatives, who joins them, the ladder, closing reflections.
documentation: the organisers' texts for the documentation and the rendered PDFs.
"""

from .actions import *  # noqa: F403
from .documentation import *  # noqa: F403
from .session_reports import *  # noqa: F403
