"""What every ``magpie`` command shares: settings from the command line, logging, errors."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any, NoReturn

import typer

from recommender.config import Settings, load_settings
from recommender.errors import MagpieError

__all__ = ["fail", "settings_from", "setup_logging"]


def settings_from(config: Path | None, **overrides: Any) -> Settings:
    """Settings from ``config`` (or the defaults), with the options a command was given."""
    return load_settings(config, **{k: v for k, v in overrides.items() if v is not None})


def setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def fail(error: MagpieError) -> NoReturn:
    """Say what went wrong in one red line and exit with status 2."""
    typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=2)
