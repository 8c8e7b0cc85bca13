"""Inline keyboards and their typed callback data, one file per feature (ids only, under 64 bytes)."""
