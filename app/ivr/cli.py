"""`flask prompts ...`, `flask departments ...` and `flask ivr seed-demo`."""

from __future__ import annotations

import json

import click

from app.errors import DomainError
from app.extensions import db
from app.floor import cache, departments, hours, prompts
from app.floor.languages import LANGUAGES
from app.ivr import bp


def _publish() -> None:
    db.session.commit()
    cache.changed()


def _fail(err: DomainError) -> click.ClickException:
    details = "".join(f"\n  {k}: {v}" for k, v in err.details.items())
    return click.ClickException(f"{err.message}{details}")


def _pairs(values: tuple[str, ...], what: str) -> dict[str, str]:
    """ ("en=billing,invoice", "hi=बिलिंग") -> {"en": "billing,invoice", "hi": "बिलिंग"}."""
    result = {}
    for value in values:
        lang, sep, rest = value.partition("=")
        if not sep:
            raise click.BadParameter(f"{value!r}: write LANG=..., like en=...", param_hint=what)
        result[lang.strip()] = rest.strip()
    return result


# -- prompts ----------------------------------------------------------------------------------

@bp.cli.group("prompts")
def prompts_group() -> None:
    """What callers hear: list, override and reset prompts per language."""


@prompts_group.command("list")
@click.option("--lang", default=None, help="Only this language (a code: `flask ivr languages`).")
@click.option("--prefix", default=None, help="Only keys starting with this (e.g. menu.).")
@click.option("--overridden", is_flag=True, help="Only prompts changed from the default.")
def prompts_list(lang: str | None, prefix: str | None, overridden: bool) -> None:
    """Every prompt key and language with the text in force (* marks an override)."""
    try:
        rows = prompts.listing(lang, prefix=prefix)
    except DomainError as err:
        raise _fail(err) from None
    for row in rows:
        if overridden and not row["overridden"]:
            continue
        mark = "*" if row["overridden"] else " "
        click.echo(f"{mark} {row['key']:<26} {row['language']}  {row['text']}")


@prompts_group.command("set")
@click.argument("key")
@click.argument("lang")
@click.argument("text")
def prompts_set(key: str, lang: str, text: str) -> None:
    """Make KEY say TEXT in LANG from the next call on (placeholders like {name} allowed)."""
    try:
        prompts.set_override(key, lang, text)
    except DomainError as err:
        raise _fail(err) from None
    _publish()
    click.echo(f"{key} [{lang}] is now: {text}")


@prompts_group.command("reset")
@click.argument("key")
@click.argument("lang")
def prompts_reset(key: str, lang: str) -> None:
    """Go back to the shipped default for KEY in LANG."""
    try:
        removed = prompts.reset(key, lang)
    except DomainError as err:
        raise _fail(err) from None
    _publish()
    state = "reset to the default" if removed else "already the default"
    click.echo(f"{key} [{lang}] {state}: {prompts.template(key, lang)}")


# -- departments ------------------------------------------------------------------------------

@bp.cli.group("departments")
def departments_group() -> None:
    """The department menu: names, keys, speech keywords, hours, holidays."""


@departments_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, as the API does.")
def departments_list(as_json: bool) -> None:
    rows = [departments.to_dict(d) for d in departments.all_departments()]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("No departments yet: `flask departments add` or `flask ivr seed-demo`.")
    for row in rows:
        flags = " (default)" if row["is_default"] else ""
        flags += "" if row["active"] else " (inactive)"
        schedule = " ".join(f"{d}={','.join(f'{s}-{e}' for s, e in r) or 'closed'}"
                            for d, r in row["hours"].items()) or "always open"
        click.echo(f"{row['menu_key']}  {row['slug']:<18} {row['name']}{flags}")
        click.echo(f"     hours: {schedule} [{row['timezone']}]")
        for lang, words in row["speech_keywords"].items():
            click.echo(f"     {lang}: {', '.join(words)}")
        for holiday in row["holidays"]:
            click.echo(f"     closed {holiday['day']} {holiday['name']}")


def _department_fields(name: str | None, key: str | None, keywords: tuple[str, ...],
                       names: tuple[str, ...], timezone: str | None,
                       hours_: tuple[str, ...], default: bool | None,
                       active: bool | None) -> dict:
    fields: dict = {}
    if name is not None:
        fields["name"] = name
    if key is not None:
        fields["menu_key"] = key
    if keywords:
        fields["speech_keywords"] = {lang: [w.strip() for w in words.split(",") if w.strip()]
                                     for lang, words in _pairs(keywords, "--keywords").items()}
    if names:
        fields["names"] = _pairs(names, "--name-in")
    if timezone is not None:
        fields["timezone"] = timezone
    if hours_:
        fields["hours"] = hours.parse_cli_schedule(hours_)
    if default is not None:
        fields["is_default"] = default
    if active is not None:
        fields["active"] = active
    return fields


_common_options = [
    click.option("--keywords", multiple=True, metavar="LANG=WORD,WORD",
                 help="Speech keywords in a language; repeat per language."),
    click.option("--name-in", "names", multiple=True, metavar="LANG=NAME",
                 help="The department's name as spoken in a language."),
    click.option("--timezone", default=None, help="IANA time zone, e.g. Asia/Kolkata."),
    click.option("--hours", "hours_", multiple=True, metavar="DAYS=RANGES",
                 help="e.g. mon-fri=09:00-17:00 sat=10:00-14:00 (repeatable); none: always open"),
]


def _with_common(func):
    for option in reversed(_common_options):
        func = option(func)
    return func


@departments_group.command("add")
@click.argument("slug")
@click.option("--name", required=True, help="The department's name (as spoken in English).")
@click.option("--key", required=True, help="Its menu key, a single digit.")
@_with_common
@click.option("--default/--not-default", default=None,
              help="Callers who make no choice go here.")
def departments_add(slug: str, name: str, key: str, keywords, names, timezone, hours_,
                    default) -> None:
    """Add a department to the menu."""
    fields = {"slug": slug, **_department_fields(name, key, keywords, names, timezone, hours_,
                                                 default, None)}
    try:
        department = departments.create(fields)
    except DomainError as err:
        raise _fail(err) from None
    _publish()
    click.echo(f"Added {department.slug} on key {department.menu_key}.")


@departments_group.command("set")
@click.argument("slug")
@click.option("--name", default=None)
@click.option("--key", default=None, help="A new menu key.")
@_with_common
@click.option("--default/--not-default", default=None)
@click.option("--active/--inactive", default=None, help="Inactive departments leave the menu.")
def departments_set(slug: str, name, key, keywords, names, timezone, hours_, default,
                    active) -> None:
    """Change a department's fields."""
    fields = _department_fields(name, key, keywords, names, timezone, hours_, default, active)
    try:
        departments.update(departments.get(slug), fields)
    except DomainError as err:
        raise _fail(err) from None
    _publish()
    click.echo(f"Updated {slug}.")


@departments_group.command("set-hours")
@click.argument("slug")
@click.argument("schedule", nargs=-1)
@click.option("--timezone", default=None, help="IANA time zone, e.g. Asia/Kuala_Lumpur.")
def departments_set_hours(slug: str, schedule: tuple[str, ...], timezone: str | None) -> None:
    """Replace SLUG's weekly hours: e.g. mon-fri=09:00-17:00 sat=10:00-14:00.

    Days not named are closed; no SCHEDULE at all means always open.
    """
    try:
        department = departments.get(slug)
        departments.update(department, {"hours": hours.parse_cli_schedule(schedule),
                                        **({"timezone": timezone} if timezone else {})})
    except DomainError as err:
        raise _fail(err) from None
    _publish()
    click.echo(f"{slug}: {json.dumps(department.hours)} [{department.timezone}]")


@departments_group.command("add-holiday")
@click.argument("slug")
@click.argument("day")
@click.argument("name", required=False, default="")
def departments_add_holiday(slug: str, day: str, name: str) -> None:
    """Close SLUG all day on DAY (YYYY-MM-DD, in its time zone)."""
    try:
        departments.add_holiday(departments.get(slug), day, name)
    except DomainError as err:
        raise _fail(err) from None
    _publish()
    click.echo(f"{slug} is closed on {day}{' for ' + name if name else ''}.")


@departments_group.command("remove-holiday")
@click.argument("slug")
@click.argument("day")
def departments_remove_holiday(slug: str, day: str) -> None:
    try:
        departments.remove_holiday(departments.get(slug), day)
    except DomainError as err:
        raise _fail(err) from None
    _publish()
    click.echo(f"{slug} is no longer closed on {day}.")


@departments_group.command("remove")
@click.argument("slug")
@click.confirmation_option(prompt="Remove this department from the menu for good?")
def departments_remove(slug: str) -> None:
    """Delete a department (use `set --inactive` to take it off the menu for a while)."""
    try:
        departments.remove(departments.get(slug))
    except DomainError as err:
        raise _fail(err) from None
    _publish()
    click.echo(f"Removed {slug}.")


# -- demo data --------------------------------------------------------------------------------

@bp.cli.group("ivr")
def ivr_group() -> None:
    """The IVR's demo data and languages."""


@ivr_group.command("seed-demo")
def seed_demo() -> None:
    """Demo departments and customers, so `make run` has someone to call (idempotent)."""
    from app.ivr.seed import seed

    report = seed()
    _publish()
    for line in report:
        click.echo(line)


@ivr_group.command("languages")
def languages() -> None:
    """The languages callers can be served in, with their Twilio voices."""
    for code, lang in LANGUAGES.items():
        click.echo(f"{code}  {lang.name:<14} {lang.voice} ({lang.say_language})")
