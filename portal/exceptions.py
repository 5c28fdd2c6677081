"""Errors the architects' services raise besides ValidationError."""

from __future__ import annotations

from datetime import datetime
from typing import Any


class ConflictError(Exception):
    """Someone else saved first. ``current`` is their version of the record (its plain record shape), to show to
    the person refused."""

    def __init__(self, *, current: dict[str, Any], changed_by: str, changed_at: datetime | None):
        super().__init__(f"Changed by {changed_by} since you opened it.")
        self.current, self.changed_by, self.changed_at = current, changed_by, changed_at
