"""``python -m bot`` is ``statsig-bot``."""

from bot.cli import main

main()
