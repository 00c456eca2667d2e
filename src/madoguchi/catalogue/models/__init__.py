"""The catalogue's models: the form builder's drafts (builder.py) and the shared catalogue."""

from .builder import DraftAction, DraftStatus, FormDraft, FormDraftEvent

__all__ = ["DraftAction", "DraftStatus", "FormDraft", "FormDraftEvent"]
