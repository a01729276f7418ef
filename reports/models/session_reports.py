"""Session reports, their photos and comments."""

__all__: list[str] = []
