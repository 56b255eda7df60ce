"""The draw's error: a rule that cannot be met, named by a stable `draw.*` message key."""
from __future__ import annotations

from i18n import Problem


class DrawError(Problem):
    """The plan cannot be drawn as written (e.g. a task cannot be staffed); the message says what to change.

    Raised before anything is saved, so a failed draw leaves no partial result to pick from.
    """
