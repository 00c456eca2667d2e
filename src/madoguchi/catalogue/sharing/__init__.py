"""Shared procedures: publish (prefecture, national library), adopt, override, take updates."""
