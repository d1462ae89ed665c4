"""The conductor folds the metrics chunks its helpers finished into the run's sums
between its own chunks (orchestration/runs.py, `HelperSums`; issue 14): each helper
chunk once, whenever it is found done, and the sums come out as one pass over every
account gives them."""

import pytest
from django.utils import timezone

from accounts.models import Account
from bench.build_portfolio import build_portfolio
from core.bulk import id_ranges
from lib.fiscal import fiscal_quarter_of
from metrics.compute import ChunkSums, prepare_quarter, quarter_chunk
from orchestration.fanout import METRICS, create_chunks
from orchestration.models import RecomputeChunk, RecomputeRun
from orchestration.runs import HelperSums, recompute


def _canonical(partial) -> dict:
    data = partial.to_json()
    data["sums"] = {key: sorted(items) for key, items in data["sums"].items()}
    return data


@pytest.mark.django_db
def test_helpers_chunks_are_folded_in_once_and_sum_as_one_pass():
    today = timezone.localdate()
    build_portfolio(120, seed=7, as_of=today)
    recompute(chunk_size=40)
    setup = prepare_quarter(fiscal_quarter_of(today), today=today)
    ranges = id_ranges(Account.objects.all(), 40)
    run = RecomputeRun.objects.create(trigger="test", as_of=today)
    create_chunks(run.pk, METRICS, ranges)
    sums = ChunkSums(setup, ranges)
    helper_sums = HelperSums(run.pk, sums)

    def done_by_a_helper(index):
        first, last = ranges[index]
        RecomputeChunk.objects.filter(run=run, phase=METRICS, index=index).update(
            done=True, result=quarter_chunk(setup, first, last).to_json()
        )

    done_by_a_helper(1)
    helper_sums.fold_in()
    sums.add_chunk(*ranges[0])  # the conductor's own: kept in memory, no result stored
    RecomputeChunk.objects.filter(run=run, phase=METRICS, index=0).update(done=True)
    done_by_a_helper(2)
    helper_sums.fold_in()
    helper_sums.fold_in()  # nothing new: nothing added twice

    total = sums.total()  # uses the sums up: once
    assert helper_sums.folded == {1, 2}
    assert total.accounts == 120
    assert _canonical(total) == _canonical(quarter_chunk(setup, ranges[0][0], None))
