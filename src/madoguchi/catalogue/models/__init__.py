"""The catalogue's models: shared procedures (sharing.py) and the form builder (builder.py)."""

from .sharing import ProcedureAdoption, SharedProcedure, SharedProcedureVersion

__all__ = ["ProcedureAdoption", "SharedProcedure", "SharedProcedureVersion"]
