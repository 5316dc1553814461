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
@click.option(
    "--audience",
    help="With --out: write the site as this audience (its public id or name) sees it; "
    "without it, the export holds the public site only.",
)
def publish_command(out, audience):
    """Render and store the public site; with --out, export it as static files too.

    A path that fails to render is listed (it keeps its last good version) and the command
    exits with status 1, after publishing everything else.
    """
    from app.publishing.audience_pages import find_audience
    from app.publishing.publish import export_site, publish_failures, publish_site

    chosen = None
    if audience is not None:
        if out is None:
            raise click.UsageError("--audience needs --out: it says whose site to export.")
        chosen = find_audience(audience)
        if chosen is None:
            raise click.BadParameter(
                f"no audience has the id or name {audience!r}", param_hint="--audience"
            )
    if out is None:
        generation = publish_site()
        click.echo(f"Published generation {generation}.")
    else:
        count = export_site(out, audience=chosen)
        whose = f" as {chosen.name} sees it" if chosen is not None else ""
        click.echo(f"Exported {count} files and the static assets to {out}{whose}.")
    failures = publish_failures()
    for failure in failures:
        click.echo(f"Failed to render {failure.path}: {failure.cause}", err=True)
    if failures:
        click.echo(
            f"{len(failures)} path(s) kept their last good version; fix them and publish again.",
            err=True,
        )
        raise SystemExit(1)
