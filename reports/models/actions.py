"""The action plan (initiatives and who joins), the collaboration ladder, closing reflections."""

__all__: list[str] = []
