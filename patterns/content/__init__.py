"""The curated content file (catalog.json) and its schema. ``python -m patterns.content [PATH]`` checks a file."""

from patterns.content.schema import (
    CONTENT_FILE,
    FORMAT,
    ContentError,
    read_content,
    upgrade_content,
    validate_content,
)

__all__ = ["CONTENT_FILE", "FORMAT", "ContentError", "read_content", "upgrade_content", "validate_content"]
