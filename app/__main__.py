"""The ``crier`` command (and ``python -m app``): the flask commands with Crier's app."""

import sys

import click
from flask.cli import FlaskGroup

from app import create_app
from app.config import VERSION, ConfigError


def _load_app():
    try:
        return create_app()
    except ConfigError as exc:
        click.echo(f"crier: configuration error: {exc}", err=True)
        sys.exit(3)


def _print_version(ctx, _param, value):
    if value and not ctx.resilient_parsing:
        click.echo(f"crier {VERSION}")
        ctx.exit()


def main():
    """Run the flask commands (seed-demo, publish, worker, …) against Crier's app."""
    group = FlaskGroup(create_app=_load_app, add_version_option=False)
    group.params.append(
        click.Option(
            ["--version"],
            is_flag=True,
            expose_value=False,
            is_eager=True,
            callback=_print_version,
            help="Show Crier's version and exit.",
        )
    )
    group(prog_name="crier")


if __name__ == "__main__":
    main()
