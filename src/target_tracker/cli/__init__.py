"""The ``tracker`` command line: parse options, call the library, render, set the exit code.

Only this package reads the clock, the environment and the terminal. Each
group of commands has its own module; importing them registers the commands.
"""

from target_tracker.cli import (  # noqa: F401  (registers commands)
    edit_commands,
    fix_commands,
    forms_commands,
    git_commands,
    report_command,
    view_commands,
)
from target_tracker.cli.common import app, main

__all__ = ["app", "main"]
