"""The form builder's pure parts: editing a definition's JSON, checks, diff, sample answers.

Nothing here touches the database; catalogue/services.py and selectors.py do, through these.
"""
