"""The catalogue's models: the form builder's drafts (builder.py) and shared procedures (sharing.py)."""

from .builder import DraftAction, DraftStatus, FormDraft, FormDraftEvent
from .sharing import ProcedureAdoption, SharedProcedure, SharedProcedureVersion

__all__ = [
    "DraftAction",
    "DraftStatus",
    "FormDraft",
    "FormDraftEvent",
    "ProcedureAdoption",
    "SharedProcedure",
    "SharedProcedureVersion",
]
