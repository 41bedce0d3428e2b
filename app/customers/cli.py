"""`flask customers import FILE.csv`: load or refresh the customer database from a CSV file."""

from __future__ import annotations

from pathlib import Path

import click

from app.customers import bp
from app.customers.csvsource import MalformedFile, check_file, file_rows, ignored_columns
from app.customers.importer import import_customers
from app.customers.phones import is_known_region
from config import app_settings


@bp.cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True,
              help="All or nothing: if any row is rejected, write nothing and fail.")
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@click.option("--region", default=None,
              help="Country for numbers without a +country code (default: DEFAULT_REGION).")
def import_command(file: Path, strict: bool, dry_run: bool, region: str | None) -> None:
    """Create or update customers from FILE (columns: name,phone,account_number,language;
    optional tier,notes; several phones in one cell separated by ';')."""
    region = (region or app_settings().DEFAULT_REGION).upper()
    if not is_known_region(region):
        raise click.BadParameter(f"{region!r} is not a country code such as US, GB, IN, BD, MY.",
                                 param_hint="--region")
    try:
        # Read the whole file once first, so a file that breaks half-way is refused before
        # any of it is written.
        check_file(file)
    except MalformedFile as err:
        raise click.ClickException(f"{file}: {err.message} Nothing was imported.") from err
    extra = ignored_columns(file)
    if extra:
        click.echo(f"Ignoring column(s) not used by the import: {', '.join(extra)}")
    report = import_customers(
        file_rows(file),
        region,
        strict=strict,
        dry_run=dry_run,
        default_language=app_settings().DEFAULT_LANGUAGE,
    )
    for reject in report.rejects:
        account = f" (account {reject.account_number})" if reject.account_number else ""
        click.echo(f"line {reject.line}{account}: rejected: {reject.reason}", err=True)
    click.echo(report.summary())
    if strict and report.rejects:
        raise click.exceptions.Exit(1)
