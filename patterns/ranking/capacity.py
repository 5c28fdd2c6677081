"""The capacity check: an integration's numbers against the platform limits curated for each pattern.

Pure arithmetic, one small estimator per kind of limit; the limits themselves (value, unit, window, batching, source)
are curated data (``LimitEntry``). Each estimate says what the numbers come to, the share of the limit, a verdict and
the arithmetic in words; an option's verdict is its worst estimate's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from patterns.ranking.snapshot import LimitEntry
from patterns.requirements import Capacity

WITHIN, NEAR_LIMIT, OVER_LIMIT, UNKNOWN = "within", "near_limit", "over_limit", "unknown"
VERDICTS = (WITHIN, NEAR_LIMIT, OVER_LIMIT, UNKNOWN)
VERDICT_LABELS = {WITHIN: "within the limits", NEAR_LIMIT: "near a limit", OVER_LIMIT: "over a limit",
                  UNKNOWN: "not enough numbers"}  # fmt: skip
NEAR_FROM = 0.7  # a share of a limit from which an estimate is near it
MAX_SCALE = 10  # more users or connections can absorb up to this many times a limit; past it the design is over
# Caps a design gets under by doing it another way, however far past them the numbers are (a live query filtered to
# fewer rows; an initial load migrated rather than synced; a message that carries the row's key while the receiver
# reads the row), never by adding capacity: with what to do (``scales_with``) they are near, whatever the multiple.
DONE_ANOTHER_WAY = frozenset({"rows_per_live_query", "rows_per_run", "legal_entities", "message_size_kb"})
FAR_PAST_GUIDANCE = 10  # this many times Microsoft's guidance figure or more: say plainly what to use instead
OVER_LIMIT_PENALTY = 20.0  # points an option over a limit gives up in the order (its score stays as it is)
SEVERITY = {OVER_LIMIT: 3, NEAR_LIMIT: 2, WITHIN: 1, UNKNOWN: 0}
KINDS = (
    "requests_per_window",  # the busiest hour's records as requests in a window of minutes
    "requests_per_day",  # a day's records as requests (daily allocations)
    "concurrent",  # callers at the same time
    "message_size_kb",  # one record's payload
    "rows_per_run",  # the initial load against rows per run
    "tables",  # tables or entities taking part
    "latency_minutes",  # the shortest delay, against how fast the other side needs it
    "rows_per_query",  # a page size or cap the numbers can't check: shown as a reminder
    "rows_per_live_query",  # the rows one live query must return, against a cap on what a query can return
    "legal_entities",  # the legal entities the data spans
)

# What can share a limit: the environment its integrations run in, the account (identity) several run as, or the
# whole tenant. The shared check sums the integrations' amounts, which only adds up for these kinds.
SHARED = {"environment": "Shared by an environment's integrations",
          "identity": "Shared by the integrations that run as one account",
          "tenant": "Shared by every integration in the tenant"}  # fmt: skip
SUMMABLE_KINDS = ("requests_per_window", "requests_per_day", "concurrent", "tables")


class Estimate(NamedTuple):
    limit: str
    name: str
    value: float
    unit: str
    estimate: float | None
    share: float | None
    verdict: str
    text: str
    source: str
    guidance: bool = False  # the value is Microsoft's guidance figure, not a limit the platform enforces
    another_way: bool = False  # past the limit, near only when done another way (DONE_ANOTHER_WAY, ``scales_with``)

    def to_json(self) -> dict[str, Any]:
        return self._asdict()

    @property
    def verdict_label(self) -> str:
        """The verdict in words: against a guidance figure, never called a limit."""
        if self.guidance and self.verdict in {NEAR_LIMIT, OVER_LIMIT}:
            if self.verdict == OVER_LIMIT:
                return "far above Microsoft's figure"
            return "above Microsoft's figure" if (self.share or 0) > 1 else "near Microsoft's figure"
        return VERDICT_LABELS.get(self.verdict, self.verdict)

    @property
    def heading(self) -> str:
        """How a caution made of this estimate is headed."""
        return self.verdict_label[:1].upper() + self.verdict_label[1:]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Estimate:
        return cls(
            limit=data.get("limit", ""),
            name=data.get("name", ""),
            value=data.get("value", 0),
            unit=data.get("unit", ""),
            estimate=data.get("estimate"),
            share=data.get("share"),
            verdict=data.get("verdict", UNKNOWN),
            text=data.get("text", ""),
            source=data.get("source", ""),
            guidance=data.get("guidance", False),
            another_way=data.get("another_way", False),
        )


@dataclass(frozen=True)
class CapacityRecord:
    verdict: str
    estimates: tuple[Estimate, ...]

    @property
    def label(self) -> str:
        """The verdict in words; when the worst estimate is against a guidance figure, never called a limit."""
        worst = self.worst
        if worst is not None and worst.verdict == self.verdict:
            return worst.verdict_label
        return VERDICT_LABELS.get(self.verdict, self.verdict)

    @property
    def worst(self) -> Estimate | None:
        # A limit the platform enforces before a guidance figure of the same severity.
        return max(self.estimates, key=lambda e: (SEVERITY[e.verdict], not e.guidance), default=None)

    def to_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "estimates": [e.to_json() for e in self.estimates]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> CapacityRecord | None:
        if not data:
            return None
        return cls(data.get("verdict", UNKNOWN), tuple(Estimate.from_json(e) for e in data.get("estimates", [])))


UNCHECKED = CapacityRecord(UNKNOWN, ())
# Kinds that compare one of the numbers with the limit as it is: (the number, how to ask for it, how it reads).
DIRECT = {
    "concurrent": ("concurrent_clients", "the callers at the same time", "{} callers at once"),
    "message_size_kb": ("record_size_kb", "the size of one record", "one record of {} KB"),
    "tables": ("tables", "the number of tables", "{} tables"),
    "rows_per_live_query": ("rows_per_query", "the rows one live query returns", "{} rows in one query"),
    "legal_entities": ("legal_entities", "the number of legal entities", "{} legal entities"),
}


def _verdict(share: float) -> str:
    return OVER_LIMIT if share > 1 else NEAR_LIMIT if share >= NEAR_FROM else WITHIN


def done_another_way(limit: LimitEntry, share: float) -> bool:
    """Past ``limit``, which a design gets under only by doing it another way (``scales_with`` says how)."""
    return share > 1 and not limit.guidance and bool(limit.scales_with) and limit.kind in DONE_ANOTHER_WAY


def judged(limit: LimitEntry, share: float, verdict: str, text: str, *, batched: float | None = None,
           batched_words: str = "") -> tuple[str, str]:  # fmt: skip
    """The verdict on ``share`` of ``limit`` and ``text`` (a sentence) with why, for one integration's numbers and
    for several integrations' sum alike (``patterns.ranking.shared``).

    Past the limit, a design that batching brings within it (``batched``: the share once batched; ``batched_words``
    end the sentence then), that more users or connections spread within MAX_SCALE times the limit, or that does it
    another way (a DONE_ANOTHER_WAY cap, with what to do), is near it; anything else is over. A guidance figure
    (Microsoft's example or benchmark, not a limit the platform enforces) is never called a limit: above it reads as
    above Microsoft's figure (near); FAR_PAST_GUIDANCE times it or more is over, with what to use instead."""
    if limit.guidance and share > 1:
        if share >= FAR_PAST_GUIDANCE:
            instead = f"; use {limit.instead} instead" if limit.instead else ""
            return OVER_LIMIT, text[:-1] + f": far above it{instead}."
        return NEAR_LIMIT, text[:-1] + ": above it, though it is no enforced limit."
    if verdict == OVER_LIMIT:
        needed = batched if batched is not None else share
        if batched is not None and batched <= 1:
            return NEAR_LIMIT, text[:-1] + batched_words
        if done_another_way(limit, share):
            return NEAR_LIMIT, text[:-1] + f": {limit.scales_with}."
        if limit.scales_with and needed <= MAX_SCALE:
            times = math.ceil(needed * 10) / 10
            return NEAR_LIMIT, text[:-1] + f": plan for {times:g} times the limit ({limit.scales_with})."
    return verdict, text


def _n(number: float) -> str:
    return f"{number:,.0f}" if number >= 10 or number == int(number) else f"{number:,.1f}"


def _pct(share: float) -> str:
    """A share in whole percent, never rounded across a verdict's boundary (69.9% shows as 69%, not 70%, and
    100.02% as 101%, not 100%)."""
    percent = round(share * 100)
    if share < NEAR_FROM:
        percent = min(percent, round(NEAR_FROM * 100) - 1)
    elif share > 1:
        percent = max(percent, 101)
    return f"{percent}%"


def _window(minutes: int) -> str:
    return "hour" if minutes == 60 else "minute" if minutes == 1 else f"{minutes} minutes"


def estimate(limit: LimitEntry, capacity: Capacity, timing: str | None, direction: str | None = None) -> Estimate:
    """One limit against the numbers (the timing answer for latency; the direction for reads that page)."""

    def done(amount: float | None, text: str, verdict: str | None = None, batched: float | None = None) -> Estimate:
        """The estimate of ``amount`` (``batched``: its share once batched), judged by ``judged``."""
        share = None if amount is None or limit.value <= 0 else amount / limit.value
        if verdict is None:
            verdict = UNKNOWN if share is None else _verdict(share)
        if share is not None:
            verdict, text = judged(limit, share, verdict, text, batched=batched, batched_words=": send them batched.")
        if limit.note and verdict in {NEAR_LIMIT, OVER_LIMIT}:
            text = f"{text} {limit.note}"
        another_way = share is not None and verdict == NEAR_LIMIT and done_another_way(limit, share)
        return Estimate(limit.slug, limit.name, limit.value, limit.unit, amount, share, verdict, text,
                        limit.source_url, limit.guidance, another_way)  # fmt: skip

    if limit.value <= 0:
        return Estimate(limit.slug, limit.name, limit.value, limit.unit, None, None, UNKNOWN,
                        "This limit has no value to compare with.", limit.source_url)  # fmt: skip
    of = (f"of Microsoft's figure of {_n(limit.value)} {limit.unit} (guidance, not an enforced limit)" if limit.guidance
          else f"of {_n(limit.value)} {limit.unit}")  # fmt: skip
    kind = limit.kind
    amount: float
    assumed = "" if capacity.peak_records_per_hour is not None else " (assumed: the day's records spread evenly)"
    if kind == "requests_per_window":
        peak = capacity.peak_hourly_records
        if peak is None:
            return done(None, "Give the records per day or in the busiest hour to check this limit.")
        window = limit.window_minutes or 60
        records = peak * window / 60
        reading = direction == "outbound" and limit.read_rows_per_request is not None
        per_request = (limit.read_rows_per_request if reading else limit.rows_per_request) or 1
        amount = math.ceil(records / per_request)
        how = ("single requests" if per_request == 1 else
               f"{'reads of pages' if reading else 'requests'} of {_n(per_request)} records")  # fmt: skip
        text = (f"peak {_n(peak)} records/h{assumed} as {how} = {_n(amount)} {limit.unit} per {_window(window)}, "
                f"{_pct(amount / limit.value)} {of}")  # fmt: skip
        batched_share = None
        # Told only when batching would send fewer (a reader paging more records than a batch holds already does).
        if limit.batch_rows and (batched := math.ceil(records / limit.batch_rows)) < amount:
            batched_share = batched / limit.value
            text += f"; with {limit.batch_label}: {_n(batched)} ({_pct(batched_share)})"
        return done(amount, text + ".", batched=batched_share)
    if kind == "requests_per_day":
        daily = capacity.records_per_day
        if daily is None:
            return done(None, "Give the records per day to check this allocation.")
        amount = math.ceil(daily / (limit.rows_per_request or 1))
        return done(amount, f"{_n(daily)} records a day = at least {_n(amount)} {limit.unit} a day, "
                            f"{_pct(amount / limit.value)} {of}.")  # fmt: skip
    if kind in DIRECT:
        number, ask, reads = DIRECT[kind]
        given = getattr(capacity, number)
        if given is None:
            return done(None, f"Give {ask} to check this limit.")
        amount = float(given)
        return done(amount, f"{reads.format(_n(amount))}, {_pct(amount / limit.value)} {of}.")
    if kind == "rows_per_run":
        if capacity.initial_load_records is None:
            return done(None, "Give the records in the initial load to check this limit.")
        amount = capacity.initial_load_records
        runs = max(1, math.ceil(amount / limit.value))
        return done(amount, f"an initial load of {_n(amount)} records = {runs} run{'s' if runs > 1 else ''} of at "
                            f"most {_n(limit.value)}, {_pct(amount / limit.value)} of one run.")  # fmt: skip
    if kind == "latency_minutes":
        delay = f"changes land at least {_n(limit.value)} {limit.unit} after they happen"
        if timing == "synchronous":
            return done(None, f"The caller waits, but {delay}.", OVER_LIMIT)
        if timing == "near_real_time":
            return done(None, f"Within seconds or minutes is asked, and {delay}.", NEAR_LIMIT)
        if timing == "scheduled_batch":
            return done(None, f"A schedule is fine: {delay}.", WITHIN)
        return done(None, f"Say how fast the other side needs the data: {delay}.")
    return done(None, limit.note or f"At most {_n(limit.value)} {limit.unit}; the numbers asked can't check it.")


def assess(
    limits: Sequence[LimitEntry],
    capacity: Capacity,
    scope: str,
    timing: str | None,
    direction: str | None = None,
    goal: str | None = None,
) -> CapacityRecord:
    """Every limit of a pattern that applies in this scope and for this goal, and the worst verdict (unknown when
    none can be judged)."""
    estimates = tuple(
        estimate(limit, capacity, timing, direction)
        for limit in limits
        if (not limit.scopes or scope in limit.scopes) and (not limit.goals or goal is None or goal in limit.goals)
    )
    verdict = max((e.verdict for e in estimates), key=SEVERITY.__getitem__, default=UNKNOWN)
    return CapacityRecord(verdict, estimates)
