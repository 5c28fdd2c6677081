"""The accounts' time zones: IANA names checked against the zone database (Python's zoneinfo), the menu of them by
region, and the session keys that carry the reader's zone to every request (``portal.middleware.LocalTimeMiddleware``
reads them; ``portal.auth.sessions`` writes them at sign-in). A zone is always named, never an offset: offsets change
with daylight saving, names don't."""

from __future__ import annotations

import functools
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError

DEFAULT_TIME_ZONE = "UTC"
SESSION_KEY = "portal_time_zone"
OFFER_SESSION_KEY = "portal_time_zone_offer"  # set at sign-in until the account has chosen a zone
# Listed by the system's zone database but not places: the machine's own zone, and tzdata's placeholder.
NOT_PLACES = frozenset({"localtime", "Factory", "posixrules", "posix", "right"})
MENU_REGIONS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian",
                "Pacific")  # fmt: skip


@functools.cache
def known_time_zones() -> frozenset[str]:
    return frozenset(name for name in zoneinfo.available_timezones() if name.split("/")[0] not in NOT_PLACES)


def is_time_zone(name: object) -> bool:
    return isinstance(name, str) and name in known_time_zones()


def validate_time_zone(name: str) -> None:
    if not is_time_zone(name):
        raise ValidationError(
            "“%(name)s” is not a time zone we know: choose one from the list, such as Europe/Amsterdam.",
            code="unknown_time_zone",
            params={"name": str(name)[:64]},
        )


def offset_label(offset: timedelta | None) -> str:
    """ "UTC+10:30" from an offset (whole minutes; "UTC" for none)."""
    minutes = int((offset or timedelta()).total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}:{rest:02d}"


@dataclass(frozen=True)
class ZoneChoice:
    value: str
    label: str


@functools.lru_cache(maxsize=2)
def _places_at(hour: datetime) -> tuple[tuple[str, tuple[ZoneChoice, ...]], ...]:
    """The menu's places by region with their offsets in this hour (offsets change on the hour, if at all); about
    30 ms to work out, so kept for the hour."""
    regions: dict[str, list[ZoneChoice]] = {region: [] for region in MENU_REGIONS}
    for name in sorted(known_time_zones()):
        region, _, place = name.partition("/")
        if region in regions and place:
            offset = hour.astimezone(zoneinfo.ZoneInfo(name)).utcoffset()
            regions[region].append(ZoneChoice(name, f"{place.replace('_', ' ')} ({offset_label(offset)})"))
    return tuple((region, tuple(choices)) for region, choices in regions.items() if choices)


def time_zone_menu(now: datetime, current: str = DEFAULT_TIME_ZONE) -> list[tuple[str, tuple[ZoneChoice, ...]]]:
    """The places by region ("Australia": Sydney (UTC+11:00), ...), each with its offset at ``now``; UTC first, and
    ``current`` listed even when it is an older alias the menu leaves out (US/Pacific, say)."""
    places = _places_at(now.astimezone(UTC).replace(minute=0, second=0, microsecond=0))
    first = [ZoneChoice(DEFAULT_TIME_ZONE, "UTC (Coordinated Universal Time)")]
    listed = {DEFAULT_TIME_ZONE} | {choice.value for _, choices in places for choice in choices}
    if current not in listed and is_time_zone(current):
        first.append(ZoneChoice(current, current))
    return [("", tuple(first)), *places]


class TimeZoneForm(forms.Form):
    """The zone an account reads in: from the account page's menu, or the browser's as offered after sign-in."""

    time_zone = forms.CharField(label="Time zone", max_length=64, validators=[validate_time_zone])
