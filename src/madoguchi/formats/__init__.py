"""Date and time formats per language (FORMAT_MODULE_PATH); Django's own fill in the rest."""
