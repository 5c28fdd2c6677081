"""Reads of a person's own settings: the time zone they read in, and whether they have chosen it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from portal.models import AccountPreference
from portal.time_zones import DEFAULT_TIME_ZONE, is_time_zone


@dataclass(frozen=True)
class TimeZoneSetting:
    name: str
    chosen: bool


def time_zone_setting(user_id: Any) -> TimeZoneSetting:
    """The account's zone (UTC until chosen; a name the zone database no longer has reads as UTC too)."""
    row = AccountPreference.objects.filter(user_id=user_id).values_list("time_zone", "time_zone_chosen_at").first()
    if row is None:
        return TimeZoneSetting(DEFAULT_TIME_ZONE, chosen=False)
    name, chosen_at = row
    return TimeZoneSetting(name if is_time_zone(name) else DEFAULT_TIME_ZONE, chosen=chosen_at is not None)


def time_zones_of(user_ids: Iterable[int]) -> dict[int, str]:
    """Each account's zone by id, in one query; those without one are UTC."""
    ids = set(user_ids)
    chosen = dict(AccountPreference.objects.filter(user_id__in=ids).values_list("user_id", "time_zone"))
    return {pk: chosen[pk] if is_time_zone(chosen.get(pk)) else DEFAULT_TIME_ZONE for pk in ids}
