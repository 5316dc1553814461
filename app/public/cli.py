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
    """Render and store the public site; with --out, export it as static files too."""
    from app.publishing.publish import export_site, publish_site

    if out is None:
        generation = publish_site()
        click.echo(f"Published generation {generation}.")
        return
    count = export_site(out)
    click.echo(f"Exported {count} files and the static assets to {out}.")
