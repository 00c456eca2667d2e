"""Procedures without code: the form builder for staff and shared procedures adopted by municipalities."""
