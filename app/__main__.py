"""The ``crier`` command (and ``python -m app``): the flask commands with Crier's app."""

import sys

import click
from flask.cli import FlaskGroup

from app import create_app
from app.config import ConfigError


def _load_app():
    try:
        return create_app()
    except ConfigError as exc:
        click.echo(f"crier: configuration error: {exc}", err=True)
        sys.exit(3)


def main():
    """Run the flask commands (seed-demo, publish, worker, …) against Crier's app."""
    FlaskGroup(create_app=_load_app)(prog_name="crier")


if __name__ == "__main__":
    main()
