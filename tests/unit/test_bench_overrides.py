"""``--set attribute=value`` in the answer benchmarks reads the value as the attribute's type."""

from __future__ import annotations

import pytest

from bench.answer_sweep import override
from qa_service.core.extractive import ExtractiveAnswerer
from tests.unit.fakes import FakeEmbedder


def test_booleans_are_read_by_name_and_numbers_as_numbers() -> None:
    answerer = ExtractiveAnswerer(FakeEmbedder())
    override(answerer, "name_answers=False")
    assert answerer.name_answers is False  # bool("False") would have been True
    override(answerer, "name_answers=true")
    assert answerer.name_answers is True
    override(answerer, "support_margin=1.0")
    assert answerer.support_margin == 1.0
    with pytest.raises(SystemExit):
        override(answerer, "name_answers=0")
