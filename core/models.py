"""Django looks for an app's models here. core's tables live with the functions that use them: the
record of changes, the dataset version (core/changes.py), and former slugs (core/slugs.py)."""

from core.changes import DatasetVersion
from core.slugs import FormerSlug

__all__ = ["DatasetVersion", "FormerSlug"]
