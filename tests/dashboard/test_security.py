"""Spreadsheet-safe cells, pseudonyms, charts that escape their labels, argon2id hashes."""

from __future__ import annotations

import pytest

from dashboard.charts import bar_chart
from dashboard.needs import Count
from dashboard.security import hash_password, pseudonym, safe_cell, verify_password


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\r=1"])
def test_formula_cells_are_neutralised(cell: str) -> None:
    assert safe_cell(cell) == "'" + cell


def test_other_cells_stay() -> None:
    assert safe_cell("housing") == "housing"
    assert safe_cell(-3) == -3
    assert safe_cell("a=1") == "a=1"


def test_pseudonyms_are_stable_and_depend_on_the_key() -> None:
    assert pseudonym(b"k1", 7) == pseudonym(b"k1", 7)
    assert pseudonym(b"k1", 7) != pseudonym(b"k2", 7)
    assert pseudonym(b"k1", 7) != pseudonym(b"k1", 8)
    assert pseudonym(b"k1", 7).startswith("R-")


def test_chart_labels_are_escaped() -> None:
    svg = bar_chart([Count("<script>x</script>", 3), Count("housing", 1)], title="a<b")
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg and "<title>a&lt;b</title>" in svg


def test_passwords_verify_only_against_their_hash() -> None:
    stored = hash_password("a long enough password")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "a long enough password")
    assert not verify_password(stored, "another password!!")
    assert not verify_password(None, "a long enough password")
