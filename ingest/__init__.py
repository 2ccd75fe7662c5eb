"""The import pipeline: how photos get into the archive."""
