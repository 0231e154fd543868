"""The shared directory: organizations and people, always on, used by every module."""
