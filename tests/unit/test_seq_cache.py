"""The statistics cache compares update sequences by their count: a CouchDB 3 cluster names an unchanged
database's sequence with different strings from read to read (server/stats/cache.py)."""
from server.stats.cache import SeqCache, seq_count


def test_the_count_of_either_engines_sequence():
    assert seq_count(7) == 7 and seq_count("7") == 7
    assert seq_count("1200-g1AAAAFTeJzLYWBgYMlgTmFQSklKzi9KdUhJMtLLTMrVS87JL0pJzEvJLMlMzi") == 1200
    assert seq_count("now") == -1 and seq_count(None) == -1


def test_one_computation_while_the_count_stands_whatever_the_string():
    cache, calls = SeqCache(8), []

    def compute():
        calls.append(1)
        return {"n": len(calls)}
    assert cache.get("q", "12-g1AAAAaaa", compute) == {"n": 1}
    assert cache.get("q", "12-g1AAAAbbb", compute) == {"n": 1}  # another shard copy answered: same data
    assert cache.get("q", "12", compute) == {"n": 1}
    assert cache.get("q", "13-g1AAAAaaa", compute) == {"n": 2}  # a document changed
    assert cache.get("q", "garbage", compute) == {"n": 3}  # no count: never taken as unchanged
    assert cache.get("q", "garbage", compute) == {"n": 4}
    assert len(calls) == 4


def test_an_answer_older_than_max_age_is_computed_again(monkeypatch):
    """On a cluster a view may have been read from a copy that lagged: its answer is not kept for ever."""
    from server.stats import cache as cache_module
    clock = [100.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: clock[0])
    cache, calls = SeqCache(8), []

    def compute():
        calls.append(1)
        return {"n": len(calls)}
    assert cache.get("q", "12-a", compute, 10) == {"n": 1}
    clock[0] += 9
    assert cache.get("q", "12-b", compute, 10) == {"n": 1}
    clock[0] += 2
    assert cache.get("q", "12-c", compute, 10) == {"n": 2}      # same count, but 11 s old
    assert cache.get("q", "12-c", compute) == {"n": 2}          # one server: kept while the count stands
