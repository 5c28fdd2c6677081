"""The capacity check's arithmetic, one kind of limit at a time, against hand-computed figures. Pure: no database."""

from __future__ import annotations

from dataclasses import replace

from patterns.ranking.capacity import NEAR_LIMIT, OVER_LIMIT, UNKNOWN, WITHIN, CapacityRecord, assess, estimate
from patterns.ranking.recommender import recommend
from patterns.ranking.snapshot import LimitEntry
from patterns.requirements import Capacity, Requirements
from tests.catalog.builders import pattern, snapshot

SOURCE = "https://learn.microsoft.com/en-us/power-apps/developer/data-platform/api-limits"


def limit(kind: str, value: float, unit: str = "requests", **extra: object) -> LimitEntry:
    return LimitEntry(slug=f"{kind}-limit", name=f"A {kind} limit", kind=kind, value=value, unit=unit,
                      source_url=SOURCE, **extra)  # type: ignore[arg-type]  # fmt: skip


def test_requests_per_window_from_the_busiest_hour_as_in_the_issue() -> None:
    # 12,000 rows in the peak hour as single requests: 12,000 * 5/60 = 1,000 requests per 5 minutes; 1,000/6,000.
    result = estimate(limit("requests_per_window", 6000, window_minutes=5), Capacity(peak_records_per_hour=12_000),
                      None)  # fmt: skip
    assert result.share is not None
    assert (result.estimate, round(result.share, 4), result.verdict) == (1000, round(1000 / 6000, 4), WITHIN)
    assert result.text.startswith(
        "peak 12,000 records/h as single requests = 1,000 requests per 5 minutes, 17% of 6,000"
    )


def test_batching_shows_what_bulk_messages_change_and_turns_over_into_near() -> None:
    # 120,000 rows/h: 10,000 per 5 minutes (167% of 6,000); in bulk messages of 1,000 rows: 10 requests (0%).
    bulk = limit("requests_per_window", 6000, window_minutes=5, batch_rows=1000, batch_label="bulk messages")
    result = estimate(bulk, Capacity(peak_records_per_hour=120_000), None)
    assert result.estimate == 10_000 and result.share is not None and round(result.share, 3) == 1.667
    assert result.verdict == NEAR_LIMIT and "with bulk messages: 10 (0%): send them batched." in result.text
    single = estimate(limit("requests_per_window", 6000, window_minutes=5), Capacity(peak_records_per_hour=120_000),
                      None)  # fmt: skip
    assert single.verdict == OVER_LIMIT


def test_a_limit_that_scales_with_users_is_near_with_how_many_times_over() -> None:
    scaled = limit("requests_per_window", 6000, window_minutes=5, scales_with="more application users")
    result = estimate(scaled, Capacity(peak_records_per_hour=180_000), None)  # 15,000 per 5 min = 2.5 times
    assert result.verdict == NEAR_LIMIT and "plan for 2.5 times the limit (more application users)" in result.text
    far = estimate(scaled, Capacity(peak_records_per_hour=1_000_000), None)  # 83,334 per 5 min: 13.9 times
    assert far.verdict == OVER_LIMIT  # more users can't absorb more than MAX_SCALE times a limit


def test_a_guidance_figure_is_never_called_a_limit_and_far_past_it_says_what_to_use_instead() -> None:
    guide = limit("requests_per_window", 5000, "records", window_minutes=60, guidance=True, note="Guidance only.",
                  instead="the batch data APIs")  # fmt: skip
    above = estimate(guide, Capacity(peak_records_per_hour=40_000), None)  # 8 times the figure
    assert above.verdict == NEAR_LIMIT and above.guidance
    assert ("800% of Microsoft's figure of 5,000 records (guidance, not an enforced limit): above it, though it is "
            "no enforced limit." in above.text)  # fmt: skip
    assert above.text.endswith("Guidance only.") and above.heading == "Above Microsoft's figure"
    far = estimate(guide, Capacity(peak_records_per_hour=300_000), None)  # 60 times: say it plainly
    assert far.verdict == OVER_LIMIT and far.heading == "Far above Microsoft's figure"
    assert "6000% of Microsoft's figure of 5,000 records" in far.text
    assert "far above it; use the batch data APIs instead." in far.text
    assert CapacityRecord(OVER_LIMIT, (far,)).label == "far above Microsoft's figure"
    assert CapacityRecord(NEAR_LIMIT, (above,)).label == "above Microsoft's figure"
    enforced = estimate(limit("message_size_kb", 256, "KB"), Capacity(record_size_kb=300), None)
    assert CapacityRecord(OVER_LIMIT, (far, enforced)).label == "over a limit"  # an enforced limit speaks first
    within = estimate(guide, Capacity(peak_records_per_hour=1_000), None)
    assert within.verdict == "within" and "limit of" not in within.text


def test_an_average_day_stands_in_for_the_peak_hour_and_says_so_but_not_the_other_way_round() -> None:
    window = estimate(limit("requests_per_window", 6000, window_minutes=60), Capacity(records_per_day=48_000), None)
    assert window.estimate == 2000 and "(assumed: the day's records spread evenly)" in window.text  # 48,000 / 24
    daily = limit("requests_per_day", 500_000)
    assert (
        estimate(daily, Capacity(peak_records_per_hour=1_000), None).verdict == UNKNOWN
    )  # a peak says little of a day


def test_percentages_never_read_across_a_verdicts_boundary() -> None:
    near = estimate(limit("tables", 1000, "tables"), Capacity(tables=699), None)  # 69.9%
    assert near.verdict == WITHIN and "69% of 1,000" in near.text
    over = estimate(limit("requests_per_day", 6000), Capacity(records_per_day=6001), None)  # 100.02%
    assert over.verdict == OVER_LIMIT and "101% of 6,000" in over.text


def test_requests_per_day_near_the_allocation() -> None:
    result = estimate(limit("requests_per_day", 500_000), Capacity(records_per_day=400_000), None)
    assert (result.estimate, result.share, result.verdict) == (400_000, 0.8, NEAR_LIMIT)  # 70% or more is near


def test_message_size_rows_per_run_tables_and_concurrency() -> None:
    size = estimate(limit("message_size_kb", 256, "KB"), Capacity(record_size_kb=300), None)
    assert (size.estimate, size.verdict) == (300, OVER_LIMIT) and "117% of 256 KB" in size.text
    runs = estimate(limit("rows_per_run", 500_000, "rows"), Capacity(initial_load_records=2_000_000), None)
    assert runs.share == 4 and runs.verdict == OVER_LIMIT and "= 4 runs of at most 500,000" in runs.text
    tables = estimate(limit("tables", 1000, "tables"), Capacity(tables=650), None)
    assert (tables.share, tables.verdict) == (0.65, WITHIN)
    callers = estimate(limit("concurrent", 52), Capacity(concurrent_clients=40), None)
    assert callers.verdict == NEAR_LIMIT  # 40/52 = 77%


def test_latency_is_judged_from_how_fast_the_other_side_needs_it() -> None:
    delay = limit("latency_minutes", 5, "minutes")
    assert estimate(delay, Capacity(), "synchronous").verdict == OVER_LIMIT
    assert estimate(delay, Capacity(), "near_real_time").verdict == NEAR_LIMIT
    assert estimate(delay, Capacity(), "scheduled_batch").verdict == WITHIN
    assert estimate(delay, Capacity(), None).verdict == UNKNOWN


def test_missing_numbers_say_what_to_give_and_the_worst_estimate_is_the_options_verdict() -> None:
    limits = [limit("message_size_kb", 256, "KB"), limit("requests_per_day", 500_000)]
    result = assess(limits, Capacity(record_size_kb=10), "ce_external", None)
    assert [e.verdict for e in result.estimates] == [WITHIN, UNKNOWN] and result.verdict == WITHIN
    assert "Give the records per day" in result.estimates[1].text
    scoped = limit("tables", 10, "tables", scopes=frozenset({"fno_external"}))
    assert assess([scoped], Capacity(tables=50), "ce_external", None).estimates == ()


def test_an_option_over_a_limit_gives_up_points_in_the_order_and_one_near_gets_a_caution() -> None:
    # first: (scope 1 + goal 1.5) / 4 = 62.5; second: 50. Over a limit, first orders as 62.5 - 20 = 42.5.
    first = replace(
        pattern("first", tie_break=1, goal__data_sync="good"), limits=(limit("message_size_kb", 256, "KB"),)
    )
    catalog = snapshot(first, pattern("second", tie_break=2))
    plain = recommend(Requirements(scope="ce_external", goal="data_sync"), catalog)
    assert plain.top.pattern == "first" and plain.top.capacity is None
    big = recommend(Requirements(scope="ce_external", goal="data_sync", capacity=Capacity(record_size_kb=300)), catalog)
    assert [o.pattern for o in big.options] == ["second", "first"] and [o.rank for o in big.options] == [1, 2]
    assert big.by_pattern()["first"].score == 62.5 and big.by_pattern()["first"].capacity.verdict == OVER_LIMIT
    assert [o.pattern for o in big.over_capacity] == ["first"]
    near = recommend(
        Requirements(scope="ce_external", goal="data_sync", capacity=Capacity(record_size_kb=200)), catalog
    )
    assert near.top.pattern == "first"
    assert any(c.title == "Near a limit: A message_size_kb limit" for c in near.top.cautions)


def test_a_first_option_over_a_limit_is_at_best_a_partial_fit() -> None:
    only = replace(pattern("only", goal__data_sync="strong", scope__ce_external="strong"),
                   limits=(limit("message_size_kb", 256, "KB"),))  # fmt: skip
    ranking = recommend(Requirements(scope="ce_external", goal="data_sync", capacity=Capacity(record_size_kb=300)),
                        snapshot(only))  # fmt: skip
    assert ranking.verdict.level == "partial" and "over a platform limit" in ranking.verdict.summary


def test_a_first_option_past_a_limit_it_gets_under_only_done_another_way_is_at_best_a_partial_fit() -> None:
    # 25,000 rows in one live query against a cap of 1,000: near, with the filter that gets under it, but the
    # answers as given aren't met; batching, which sends the same rows in fewer requests, leaves the fit strong.
    cap = limit("rows_per_live_query", 1000, "records", scales_with="filter each query")
    live = replace(pattern("live", goal__data_sync="strong", scope__ce_external="strong"), limits=(cap,))
    ranking = recommend(Requirements(scope="ce_external", goal="data_sync", capacity=Capacity(rows_per_query=25000)),
                        snapshot(live))  # fmt: skip
    estimate = ranking.top.capacity.estimates[0]
    assert estimate.verdict == NEAR_LIMIT and estimate.another_way and estimate.to_json()["another_way"]
    assert ranking.verdict.level == "partial" and "only done another way: A rows_per_live_query limit" in (
        ranking.verdict.summary
    )
    within = recommend(Requirements(scope="ce_external", goal="data_sync", capacity=Capacity(rows_per_query=900)),
                       snapshot(live))  # fmt: skip
    assert within.verdict.level == "strong" and not within.top.capacity.estimates[0].another_way
    bulk = replace(pattern("bulk", goal__data_sync="strong", scope__ce_external="strong"),
                   limits=(limit("requests_per_window", 6000, window_minutes=5, batch_rows=1000,
                                 batch_label="bulk messages"),))  # fmt: skip
    batched = recommend(Requirements(scope="ce_external", goal="data_sync",
                                     capacity=Capacity(peak_records_per_hour=120_000)), snapshot(bulk))  # fmt: skip
    assert batched.top.capacity.verdict == NEAR_LIMIT and batched.verdict.level == "strong"


def test_a_message_past_its_size_with_what_to_send_instead_is_near_whatever_the_multiple_and_at_best_partial() -> None:
    # Dataverse still posts an event past the message size, without the changed row: the receiver reads the row by
    # its key. 2,000 KB against 192 KB (10.4 times) is near, not over; a size cap with no other way stays over.
    sized = limit("message_size_kb", 192, "KB", scales_with="send the row's key and let the receiver read the row")
    bus = replace(pattern("bus", goal__event_notification="strong", scope__ce_external="strong"), limits=(sized,))
    ranking = recommend(Requirements(scope="ce_external", goal="event_notification",
                                     capacity=Capacity(record_size_kb=2000)), snapshot(bus))  # fmt: skip
    estimate_ = ranking.top.capacity.estimates[0]
    assert estimate_.verdict == NEAR_LIMIT and estimate_.another_way
    assert estimate_.text.endswith(": send the row's key and let the receiver read the row.")
    assert ranking.verdict.level == "partial" and ranking.top.pattern == "bus"
    plain = estimate(limit("message_size_kb", 192, "KB"), Capacity(record_size_kb=2000), None)
    assert plain.verdict == OVER_LIMIT and not plain.another_way


def test_numbers_that_imply_the_volume_keep_it_out_of_the_relaxations() -> None:
    catalog = snapshot(
        pattern("small", goal__data_sync="strong", scope__fno_external="strong", volume__low="strong",
                volume__high="excluded"),
        pattern("big", tie_break=20, goal__data_sync="good", volume__high="weak"),
    )  # fmt: skip
    answers = {"scope": "fno_external", "goal": "data_sync"}
    plain = recommend(Requirements.from_mapping({**answers, "volume": "high"}), catalog)
    assert any(dict(r.changes).get("volume") == "low" for r in plain.relaxations)
    numbers = recommend(Requirements.from_mapping({**answers, "capacity": {"records_per_day": 900_000}}), catalog)
    assert numbers.verdict.level != "strong" and all("volume" not in dict(r.changes) for r in numbers.relaxations)


def test_no_relaxation_suggests_a_pattern_the_numbers_put_over_a_limit() -> None:
    from patterns.content import read_content
    from patterns.ranking.snapshot import snapshot_from_content

    catalog = snapshot_from_content(read_content())
    answers = {"scope": "fno_external", "goal": "data_sync", "direction": "outbound", "timing": "near_real_time",
               "volume": "medium", "deployment": "cloud", "data_residency": "replicate",
               "transformations": "in_dynamics", "prefers_low_code": False, "needs_custom_logic": False}  # fmt: skip
    # 600,000 changes in an hour: twelve times the rate Microsoft supports for data events, so over it.
    numbers = {"records_per_day": 900_000, "peak_records_per_hour": 600_000}
    bursty = recommend(Requirements.from_mapping({**answers, "capacity": numbers}), catalog)
    assert bursty.by_pattern()["fno-data-events"].capacity.verdict == OVER_LIMIT
    assert bursty.relaxations and "fno-data-events" not in {r.pattern for r in bursty.relaxations}


def test_reads_that_only_leave_are_counted_in_pages() -> None:
    paged = limit("requests_per_window", 6000, window_minutes=5, read_rows_per_request=5000)
    numbers = Capacity(peak_records_per_hour=120_000)  # 10,000 records per 5 minutes
    writes = estimate(paged, numbers, None, "inbound")
    reads = estimate(paged, numbers, None, "outbound")
    assert (writes.estimate, reads.estimate) == (10_000, 2)  # 10,000 / 5,000 rows a page
    assert "as reads of pages of 5,000 records = 2 requests per 5 minutes" in reads.text


def test_batching_is_offered_only_where_it_would_send_fewer_requests() -> None:
    # Reading 10,000 records per 5 minutes in pages of 5,000 is 2 requests; batches of 1,000 would be 10, so batching
    # isn't offered to the reader. Writing the same one by one is 10,000 requests, and batches bring it to 10.
    paged = limit("requests_per_window", 6000, window_minutes=5, read_rows_per_request=5000, batch_rows=1000,
                  batch_label="batches of up to 1,000 operations")  # fmt: skip
    numbers = Capacity(peak_records_per_hour=120_000)
    reads, writes = estimate(paged, numbers, None, "outbound"), estimate(paged, numbers, None, "inbound")
    assert reads.estimate == 2 and reads.verdict == WITHIN and "batches" not in reads.text
    assert writes.verdict == NEAR_LIMIT and "with batches of up to 1,000 operations: 10 (0%)" in writes.text
