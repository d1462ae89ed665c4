"""What a recompute pass finds (`PassResult`), chunk by chunk, and its JSON form.

A chunk drained on another worker (`fanout.py`) hands its result back through the
database as JSON; the conductor folds the chunks' results together in the same way
whether they ran on its own threads or elsewhere.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

_COUNTS = (
    "accounts", "segments_changed", "priorities_changed", "assessments_created",
    "assessments_updated", "health_changed", "bands_changed", "health_history_written",
    "health_seconds",
)  # fmt: skip


@dataclass
class PassResult:
    accounts: int = 0
    segments_changed: int = 0
    priorities_changed: int = 0
    assessments_created: int = 0
    assessments_updated: int = 0
    segment_moves: Counter = field(default_factory=Counter)
    priority_moves: Counter = field(default_factory=Counter)
    # The health step (written runs only): accounts whose health, band changed; history
    # rows written; the step's seconds, summed over chunks (threads' time, not wall time).
    health_changed: int = 0
    bands_changed: int = 0
    health_history_written: int = 0
    health_seconds: float = 0.0
    chunks: int = 0
    max_queries_per_chunk: int = 0
    details: dict = field(default_factory=dict)
    # Accounts a rule or a metric failed on: {"account_id", "account", "step", "error"}
    failures: list[dict] = field(default_factory=list)

    def add(self, part: PassResult) -> None:
        """Fold one chunk's counts into the run's."""
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(part, name))
        self.segment_moves.update(part.segment_moves)
        self.priority_moves.update(part.priority_moves)
        self.chunks += part.chunks
        self.failures.extend(part.failures)
        self.max_queries_per_chunk = max(self.max_queries_per_chunk, part.max_queries_per_chunk)

    def to_json(self) -> dict:
        """Everything, JSON-able: the moves' (before, after) keys as pairs in a list."""
        return {
            **{name: getattr(self, name) for name in _COUNTS},
            "segment_moves": [[*key, count] for key, count in self.segment_moves.items()],
            "priority_moves": [[*key, count] for key, count in self.priority_moves.items()],
            "chunks": self.chunks,
            "max_queries_per_chunk": self.max_queries_per_chunk,
            "details": self.details,
            "failures": self.failures,
        }

    @classmethod
    def from_json(cls, data: dict) -> PassResult:
        return cls(
            **{name: data[name] for name in _COUNTS},
            segment_moves=Counter(
                {(before, after): n for before, after, n in data["segment_moves"]}
            ),
            priority_moves=Counter(
                {(before, after): n for before, after, n in data["priority_moves"]}
            ),
            chunks=data["chunks"],
            max_queries_per_chunk=data["max_queries_per_chunk"],
            details=data["details"],
            failures=data["failures"],
        )
