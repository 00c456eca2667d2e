"""The DX progress survey: questionnaire (defaults.py), answers and evidence (services.py),
comparisons by population class and year (selectors.py), pages (views.py)."""
