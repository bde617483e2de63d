"""The terminal surface: a REPL that shows the same Block Kit messages as Slack."""

__all__: list[str] = []
