"""The shared capacity check's arithmetic (patterns.ranking.shared), without the database: integrations' amounts
summed against one limit, in words, with the same verdict rules as one integration's check."""

from __future__ import annotations

from patterns.ranking.capacity import NEAR_LIMIT, OVER_LIMIT, UNKNOWN, WITHIN
from patterns.ranking.shared import Share, shared_estimate, shared_record
from patterns.ranking.snapshot import LimitEntry

CONCURRENT = LimitEntry("concurrent", "Concurrent requests per user", "concurrent", 52, "requests",
                        "https://learn.microsoft.com/x", shared="identity")  # fmt: skip
EVENTS = LimitEntry("events", "Data events per 5 minutes", "requests_per_window", 5000, "events",
                    "https://learn.microsoft.com/y", window_minutes=5, guidance=True, shared="environment")  # fmt: skip
BATCHED = LimitEntry("requests", "Requests per user per 5 minutes", "requests_per_window", 6000, "requests",
                     "https://learn.microsoft.com/z", window_minutes=5, batch_rows=1000,
                     batch_label="batches of 1,000", shared="identity")  # fmt: skip


def test_ten_shares_each_within_are_summed_and_over_the_limit_together() -> None:
    shares = [Share(f"Integration {n}", 20) for n in range(10)]
    estimate = shared_estimate(CONCURRENT, shares)
    assert estimate.estimate == 200 and estimate.verdict == OVER_LIMIT
    assert estimate.text.startswith("10 integrations together: 20 (Integration 0) + 20 (Integration 1)")
    assert "+ 80 (4 more) = 200 requests at once, 385% of 52 requests." in estimate.text


def test_a_sum_within_the_limit_is_within_and_one_integration_reads_alone() -> None:
    assert shared_estimate(CONCURRENT, [Share("A", 10), Share("B", 20)]).verdict == WITHIN
    alone = shared_estimate(CONCURRENT, [Share("A", 40)])
    assert alone.verdict == NEAR_LIMIT and alone.text.startswith("alone: 40 (A) = 40 requests at once, 77%")


def test_past_a_guidance_figure_the_sum_is_above_microsofts_figure_and_far_past_it_over() -> None:
    above = shared_estimate(EVENTS, [Share("A", 3000), Share("B", 3000)])
    assert above.verdict == NEAR_LIMIT and above.verdict_label == "above Microsoft's figure"
    assert "per 5 minutes, 120% of Microsoft's figure of 5,000 events" in above.text
    far = shared_estimate(EVENTS, [Share(str(n), 3000) for n in range(20)])
    assert far.verdict == OVER_LIMIT and "far above it" in far.text


def test_batching_that_brings_the_sum_within_reads_near_and_says_so() -> None:
    estimate = shared_estimate(BATCHED, [Share("A", 4000, 4), Share("B", 4000, 4)])
    assert estimate.verdict == NEAR_LIMIT and "with batches of 1,000: 8 (0%)" in estimate.text


def test_integrations_without_numbers_are_named_and_not_counted() -> None:
    estimate = shared_estimate(CONCURRENT, [Share("A", 10), Share("B", None)])
    assert estimate.estimate == 10 and "Not counted, for want of numbers: B." in estimate.text
    nothing = shared_estimate(CONCURRENT, [Share("A", None)])
    assert nothing.verdict == UNKNOWN and nothing.estimate is None


def test_a_record_takes_its_worst_verdict_and_nothing_shared_is_within() -> None:
    over = shared_estimate(CONCURRENT, [Share("A", 60)])
    within = shared_estimate(CONCURRENT, [Share("A", 1)])
    assert shared_record([within, over]).verdict == OVER_LIMIT
    assert shared_record([within, over]).estimates[0] is over
    assert shared_record([]).verdict == WITHIN
