"""Django looks for an app's models here. core's one table is the record of changes, the dataset
version, which lives with the functions that read and move it (core/changes.py)."""

from core.changes import DatasetVersion

__all__ = ["DatasetVersion"]
