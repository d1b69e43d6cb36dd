"""The ranking metrics in bench/eval_metrics.py."""

import importlib.util
import math
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "bench" / "eval_metrics.py"
_spec = importlib.util.spec_from_file_location("eval_metrics", _PATH)
assert _spec and _spec.loader
metrics = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(metrics)

GRADES = {"a": 2, "b": 2, "c": 1}


def test_ideal_order_has_ndcg_one():
    assert metrics.ndcg_at_k(["a", "b", "c", "x"], GRADES, 10) == pytest.approx(1.0)


def test_ndcg_discounts_by_log_rank():
    got = metrics.ndcg_at_k(["x", "a"], {"a": 2}, 5)
    assert got == pytest.approx((2 / math.log2(3)) / 2)


def test_ndcg_is_zero_without_relevant_services():
    assert metrics.ndcg_at_k(["a"], {}, 5) == 0.0
    assert metrics.ndcg_at_k([], GRADES, 5) == 0.0


def test_precision_counts_only_the_asked_grade_over_k():
    assert metrics.precision_at_k(["a", "c", "x"], GRADES, 3) == pytest.approx(1 / 3)
    assert metrics.precision_at_k(["a", "c"], GRADES, 3, grade=1) == pytest.approx(2 / 3)
    assert metrics.precision_at_k(["a"], GRADES, 0) == 0.0


def test_recall_is_the_share_of_grade_two_found():
    assert metrics.recall_at_k(["x", "b"], GRADES, 10) == 0.5
    assert metrics.recall_at_k(["x"], {"c": 1}, 10) == 1.0
