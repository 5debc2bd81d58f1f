"""Counters and histograms for /metrics, in Prometheus' text format (no client library)."""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field

# Handler latency buckets in seconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


@dataclass
class Histogram:
    """A cumulative histogram with fixed buckets."""

    counts: list[int] = field(default_factory=lambda: [0] * (len(BUCKETS) + 1))
    total: float = 0.0
    count: int = 0

    def observe(self, value: float) -> None:
        """Record one observation."""
        self.counts[bisect.bisect_left(BUCKETS, value)] += 1
        self.total += value
        self.count += 1


@dataclass
class Metrics:
    """Everything /metrics reports; updated in place by the bot."""

    updates: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    latency: Histogram = field(default_factory=Histogram)
    prompts_sent: int = 0
    send_errors: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    rate_limit_waits: int = 0
    dispatcher_lag_seconds: float = 0.0

    def render(self) -> str:
        """The Prometheus text exposition of every metric."""
        lines = [
            "# HELP secure_base_updates_total Updates handled, by kind.",
            "# TYPE secure_base_updates_total counter",
        ]
        lines += [
            f'secure_base_updates_total{{kind="{kind}"}} {n}'
            for kind, n in sorted(self.updates.items())
        ]
        lines += [
            "# HELP secure_base_handler_seconds Time to handle one update.",
            "# TYPE secure_base_handler_seconds histogram",
        ]
        cumulative = 0
        for bound, count in zip((*BUCKETS, float("inf")), self.latency.counts, strict=True):
            cumulative += count
            label = "+Inf" if bound == float("inf") else f"{bound}"
            lines.append(f'secure_base_handler_seconds_bucket{{le="{label}"}} {cumulative}')
        lines += [
            f"secure_base_handler_seconds_sum {self.latency.total}",
            f"secure_base_handler_seconds_count {self.latency.count}",
            "# HELP secure_base_prompts_sent_total Daily prompts delivered.",
            "# TYPE secure_base_prompts_sent_total counter",
            f"secure_base_prompts_sent_total {self.prompts_sent}",
            "# HELP secure_base_send_errors_total Failed sends, by kind.",
            "# TYPE secure_base_send_errors_total counter",
        ]
        lines += [
            f'secure_base_send_errors_total{{kind="{kind}"}} {n}'
            for kind, n in sorted(self.send_errors.items())
        ]
        lines += [
            "# HELP secure_base_rate_limit_waits_total Times Telegram asked us to slow down.",
            "# TYPE secure_base_rate_limit_waits_total counter",
            f"secure_base_rate_limit_waits_total {self.rate_limit_waits}",
            "# HELP secure_base_dispatcher_lag_seconds How late the oldest due prompt was.",
            "# TYPE secure_base_dispatcher_lag_seconds gauge",
            f"secure_base_dispatcher_lag_seconds {self.dispatcher_lag_seconds}",
        ]
        return "\n".join(lines) + "\n"


def update_kind(update: object) -> str:
    """Name the kind of an update for the metrics label (message, callback_query, ...)."""
    for kind in (
        "message",
        "edited_message",
        "callback_query",
        "my_chat_member",
        "channel_post",
    ):
        if getattr(update, kind, None) is not None:
            return kind
    return "other"
