"""Models of the reports app, one module per capability.

session_reports: reports, photos and comments (the news wall).
actions: initiatives, who joins them, the ladder, closing reflections.
"""

from .actions import *  # noqa: F403
from .session_reports import *  # noqa: F403
