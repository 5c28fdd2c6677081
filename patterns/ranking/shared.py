"""The shared capacity check: limits that several integrations draw on together (an environment's data events, the
service protection budget of the account they run as, the tenant's request pool), summed over those integrations.
Limits the content puts in one pool are one budget (Dataverse's service protection, met by Web API clients and by
connectors under two slugs): their integrations are summed together, each share by its own limit's arithmetic.

Pure arithmetic like ``capacity``: each integration's amount comes from the same estimator as its own check, so the
sum is the sum of what each integration's page says; the verdict and its words follow the same rules (guidance
figures, batching, what spreads the load).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

from patterns.ranking.capacity import (
    NEAR_LIMIT,
    OVER_LIMIT,
    SEVERITY,
    UNKNOWN,
    WITHIN,
    CapacityRecord,
    Estimate,
    _n,
    _pct,
    _verdict,
    _window,
    estimate,
    judged,
)
from patterns.ranking.snapshot import LimitEntry, PatternEntry
from patterns.requirements import Requirements

SHOWN_TERMS = 6  # integrations named in the sum; the rest are counted


class Share(NamedTuple):
    """One integration's part of a shared limit: its amount (None when its numbers can't tell) and, when the limit
    batches, the amount once batched."""

    name: str
    amount: float | None
    batched: float | None = None


def shared_limits(pattern: PatternEntry, requirements: Requirements) -> list[LimitEntry]:
    """The shared limits that apply to an integration using ``pattern``: the same scope and goal rules as its own
    check (``capacity.assess``)."""
    return [
        limit
        for limit in pattern.limits
        if limit.shared
        and (not limit.scopes or requirements.scope in limit.scopes)
        and (not limit.goals or requirements.goal in limit.goals)
    ]


class Pool(NamedTuple):
    """A budget several integrations draw on: the limit that names and describes their sum (the first of the pool's
    limits by slug), how many curated limits it joins, and the patterns whose integrations meet one of them."""

    limit: LimitEntry
    limits: int
    patterns: tuple[str, ...]  # names, alphabetical


def pool_of(limit: LimitEntry) -> str:
    """The budget a shared limit is part of: its pool, else its own slug."""
    return limit.pool or limit.slug


def pools(patterns: Sequence[PatternEntry]) -> dict[str, Pool]:
    """Every shared limit's pool among ``patterns`` (a snapshot's)."""
    limits: dict[str, dict[str, LimitEntry]] = {}
    names: dict[str, set[str]] = {}
    for pattern in patterns:
        for limit in pattern.limits:
            if limit.shared:
                limits.setdefault(pool_of(limit), {})[limit.slug] = limit
                names.setdefault(pool_of(limit), set()).add(pattern.name)
    return {
        key: Pool(members[min(members)], len(members), tuple(sorted(names[key]))) for key, members in limits.items()
    }


def share_of(limit: LimitEntry, name: str, requirements: Requirements) -> Share:
    """What one integration adds to a shared limit, by its own check's arithmetic."""
    capacity = requirements.capacity
    if capacity is None:
        return Share(name, None)
    own = estimate(limit, capacity, requirements.timing, requirements.direction)
    batched = None
    if own.estimate is not None and limit.batch_rows and limit.kind == "requests_per_window":
        peak = capacity.peak_hourly_records or 0
        # Batching never sends more than it does now: a reader that pages more records a request than a batch holds
        # already sends fewer requests than batching would.
        batched = float(min(own.estimate, math.ceil(peak * (limit.window_minutes or 60) / 60 / limit.batch_rows)))
    return Share(name, own.estimate, batched)


def _per(limit: LimitEntry) -> str:
    if limit.kind == "requests_per_window":
        return f" per {_window(limit.window_minutes or 60)}"
    return {"requests_per_day": " a day", "concurrent": " at once"}.get(limit.kind, "")


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:SHOWN_TERMS])
    return shown + (f" and {len(names) - SHOWN_TERMS} more" if len(names) > SHOWN_TERMS else "")


def _either(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def shared_estimate(limit: LimitEntry, shares: Sequence[Share], *, counted: Sequence[str] = ()) -> Estimate:
    """The shares of several integrations against one limit: the sum in words, its share of the limit, a verdict.
    ``counted``: when the limit is a pool of several, the patterns whose integrations count toward it, named."""
    known = sorted((s for s in shares if s.amount is not None), key=lambda s: (-(s.amount or 0), s.name))
    missing = sorted(s.name for s in shares if s.amount is None)
    unit = limit.unit
    if not known:
        text = f"None of these integrations gives the numbers this limit needs ({_names(missing)})."
        return Estimate(limit.slug, limit.name, limit.value, unit, None, None, UNKNOWN, text, limit.source_url,
                        limit.guidance)  # fmt: skip
    total = float(sum(s.amount or 0 for s in known))
    share = total / limit.value if limit.value > 0 else None
    terms = " + ".join(f"{_n(s.amount or 0)} ({s.name})" for s in known[:SHOWN_TERMS])
    if len(known) > SHOWN_TERMS:
        rest = sum(s.amount or 0 for s in known[SHOWN_TERMS:])
        terms += f" + {_n(rest)} ({len(known) - SHOWN_TERMS} more)"
    of = (f"of Microsoft's figure of {_n(limit.value)} {unit} (guidance, not an enforced limit)" if limit.guidance
          else f"of {_n(limit.value)} {unit}")  # fmt: skip
    together = "alone" if len(known) == 1 else f"{len(known)} integrations together"
    if share is None:
        return Estimate(limit.slug, limit.name, limit.value, unit, total, None, UNKNOWN,
                        "This limit has no value to compare with.", limit.source_url, limit.guidance)  # fmt: skip
    text = f"{together}: {terms} = {_n(total)} {unit}{_per(limit)}, {_pct(share)} {of}."
    batched, words = None, ""
    if all(s.batched is not None for s in known):
        total_batched = sum(s.batched or 0 for s in known)
        batched = total_batched / limit.value
        words = f"; with {limit.batch_label}: {_n(total_batched)} ({_pct(batched)})."
    verdict, text = judged(limit, share, _verdict(share), text, batched=batched, batched_words=words)
    if counted:
        text += f" One budget: integrations on {_either(counted)} all count toward it."
    if missing:
        text += f" Not counted, for want of numbers: {_names(missing)}."
    if limit.note and verdict in {NEAR_LIMIT, OVER_LIMIT}:
        text = f"{text} {limit.note}"
    return Estimate(limit.slug, limit.name, limit.value, unit, total, share, verdict, text, limit.source_url,
                    limit.guidance)  # fmt: skip


def shared_record(estimates: Sequence[Estimate]) -> CapacityRecord:
    """Estimates under one verdict, the worst first; within the limits when there is nothing shared to check."""
    ordered = tuple(sorted(estimates, key=lambda e: (-SEVERITY[e.verdict], e.name)))
    if not ordered:
        return CapacityRecord(WITHIN, ())
    return CapacityRecord(max((e.verdict for e in ordered), key=SEVERITY.__getitem__), ordered)
