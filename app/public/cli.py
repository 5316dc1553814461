"""flask publish: re-publish the public site, or export it as static files."""

from pathlib import Path

import click

from app.public import bp


@bp.cli.command("publish")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write the whole public site here, for nginx, a bucket or a CDN.",
)
def publish_command(out):
    """Render and store the public site; with --out, export it as static files too.

    A path that fails to render is listed (it keeps its last good version) and the command
    exits with status 1, after publishing everything else.
    """
    from app.publishing.publish import export_site, publish_failures, publish_site

    if out is None:
        generation = publish_site()
        click.echo(f"Published generation {generation}.")
    else:
        count = export_site(out)
        click.echo(f"Exported {count} files and the static assets to {out}.")
    failures = publish_failures()
    for failure in failures:
        click.echo(f"Failed to render {failure.path}: {failure.cause}", err=True)
    if failures:
        click.echo(
            f"{len(failures)} path(s) kept their last good version; fix them and publish again.",
            err=True,
        )
        raise SystemExit(1)
