"""TantivyIndex on a real tantivy index: incremental adds and deletes, tokenisation, filters,
and readers (another object, another process) seeing new commits without a restart."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from qa_service.adapters import tantivy_index
from qa_service.adapters.tantivy_index import TantivyIndex
from qa_service.core.filter_rules import compile_filters
from qa_service.core.models import LexicalRecord, SearchFilters
from tests.conftest import REPO

DAY = date(2024, 5, 10).toordinal()
NONE = SearchFilters()


def record(chunk: str, doc: str, text: str, day: int = DAY, source: str = "Wire") -> LexicalRecord:
    return LexicalRecord(chunk, text, day, source, doc)


def ids(index: TantivyIndex, query: str, filters: SearchFilters = NONE) -> list[str]:
    return [chunk_id for chunk_id, _ in index.search(query, 10, filters)]


@pytest.fixture()
def index(tmp_path: Path) -> TantivyIndex:
    built = TantivyIndex(tmp_path / "lexical")
    built.update(
        [
            record("a1", "a", "The harbour cranes were running all night"),
            record("a2", "a", "Dockworkers voted on the harbour strike"),
            record("b1", "b", "A comet passed the harbour town", day=0, source="Gazette"),
            record("c1", "c", "Parliament debated the budget", day=DAY + 3),
        ]
    )
    return built


def test_no_index_yet_answers_nothing(tmp_path: Path) -> None:
    empty = TantivyIndex(tmp_path / "none")
    assert empty.search("harbour", 5, NONE) == []
    assert empty.count() is None and empty.chunk_ids() is None
    assert empty.matching_ids(NONE) is None and empty.current_name() is None


def test_stems_and_stop_words_like_bm25s(index: TantivyIndex) -> None:
    assert ids(index, "runs") == ["a1"]  # Snowball: running, runs -> run
    assert ids(index, "the a of") == []  # English stop words only: no term left
    assert set(ids(index, "HARBOURS")) == {"a1", "a2", "b1"}
    assert index.terms("The dockworkers' strikes") == ("dockwork", "strike")


def test_more_matching_words_score_higher(index: TantivyIndex) -> None:
    hits = index.search("harbour strike", 3, NONE)
    assert hits[0][0] == "a2" and hits[0][1] > hits[1][1] > 0


def test_deleting_a_document_removes_all_its_chunks(index: TantivyIndex) -> None:
    before = index.current_name()
    assert index.update([], deleted_documents=["a"])
    assert index.current_name() != before
    assert ids(index, "harbour") == ["b1"]
    assert index.count() == 2 and index.chunk_ids() == {"b1", "c1"}


def test_replacing_a_document_and_deleting_a_chunk_in_one_commit(index: TantivyIndex) -> None:
    index.update(
        [record("a3", "a", "Cranes stood idle at the harbour")],
        deleted_documents=["a"],
        deleted_chunks=["c1"],
    )
    assert index.chunk_ids() == {"a3", "b1"}
    assert ids(index, "cranes") == ["a3"]


def test_adding_an_id_again_replaces_it(index: TantivyIndex) -> None:
    index.update([record("a1", "a", "Tugboats guided the tanker")])
    assert index.count() == 4
    assert ids(index, "tugboats") == ["a1"] and "a1" not in ids(index, "cranes")


def test_nothing_to_write_makes_no_commit(index: TantivyIndex) -> None:
    before = index.current_name()
    assert not index.update([])
    assert index.current_name() == before


def test_a_text_without_words_is_indexed(tmp_path: Path) -> None:
    """Regression (schemathesis: a pushed article whose text is "0")."""
    index = TantivyIndex(tmp_path)
    index.update([record("z", "z", "0")])
    assert index.chunk_ids() == {"z"} and ids(index, "0") == []


@pytest.mark.parametrize(
    "filters",
    [
        SearchFilters(source="Gazette"),
        SearchFilters(source="Nobody"),
        SearchFilters(as_of=date(2024, 5, 10)),  # undated pass, later dated do not
        SearchFilters(published_after=date(2024, 5, 1)),  # undated do not pass
        SearchFilters(published_before=date(2024, 5, 12), source="Wire"),
    ],
)
def test_search_filters_follow_the_rules(index: TantivyIndex, filters: SearchFilters) -> None:
    rows = {"a1": (DAY, "Wire"), "a2": (DAY, "Wire"), "b1": (0, "Gazette"), "c1": (DAY + 3, "Wire")}
    rules = compile_filters(filters)
    expected = {cid for cid, (day, source) in rows.items() if rules.admits(day, source)}
    found = {cid for cid, _ in index.search("harbour strike parliament comet", 10, filters)}
    assert found == expected


def test_filters_do_not_change_scores(index: TantivyIndex) -> None:
    plain = dict(index.search("harbour comet", 10, NONE))
    filtered = dict(index.search("harbour comet", 10, SearchFilters(source="Gazette")))
    assert filtered == {"b1": plain["b1"]}


def test_matching_ids_pages_past_one_aggregation(
    index: TantivyIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tantivy_index, "AGGREGATION_MAX_IDS", 1)
    monkeypatch.setattr(tantivy_index, "ID_PAGE", 2)
    found = index.matching_ids(SearchFilters(source="Wire"))
    assert found is not None and found[1] == ["a1", "a2", "c1"]


def test_a_second_reader_sees_each_commit(index: TantivyIndex, tmp_path: Path) -> None:
    reader = TantivyIndex(tmp_path / "lexical")
    assert ids(reader, "comet") == ["b1"]
    index.update([record("d1", "d", "A comet shower lit the sky")], deleted_documents=["b"])
    assert ids(reader, "comet") == ["d1"]
    assert reader.current_name() == index.current_name()


def test_a_commit_from_another_process_is_seen_without_reopening(
    index: TantivyIndex, tmp_path: Path
) -> None:
    assert ids(index, "volcano") == []
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from qa_service.adapters.tantivy_index import TantivyIndex
        from qa_service.core.models import LexicalRecord
        TantivyIndex(Path({str(tmp_path / "lexical")!r})).update(
            [LexicalRecord("v1", "Volcano erupts near the harbour", 0, "Wire", "v")], ["a"]
        )
        """
    )
    subprocess.run([sys.executable, "-c", script], cwd=REPO, check=True)
    assert ids(index, "volcano") == ["v1"]
    assert index.chunk_ids() == {"b1", "c1", "v1"}


def test_rebuild_replaces_everything(index: TantivyIndex) -> None:
    index.rebuild([record("x1", "x", "Only this remains")])
    assert index.chunk_ids() == {"x1"} and ids(index, "harbour") == []
