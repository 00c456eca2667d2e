"""Madoguchi (窓口): 来ない・書かない・待たない窓口 for Japanese municipalities."""

__version__ = "0.1.0"
