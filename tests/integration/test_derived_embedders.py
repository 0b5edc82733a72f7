"""The locally derived embedders (ONNX int8, model2vec) against the real packaged model.

Both are built from the wheel's files into the repo's ``var/models`` cache (the same directory the
service uses), so the first run on a machine builds them once with the network blocked
(tests/conftest.py) and later runs only load them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa_service.adapters.onnx_embedder import OnnxInt8Embedder
from qa_service.adapters.static_embedder import Model2VecEmbedder
from qa_service.container import build_embedder, build_store
from qa_service.core.ports import Embedder
from qa_service.model_build.derived_models import MARKER
from tests.conftest import REPO
from tests.integration.conftest import make_settings

pytestmark = pytest.mark.slow

MODELS_DIR = REPO / "var" / "models"
TRUCE = "Moscow rejected the proposal for a 30-day ceasefire in Ukraine."
TRUCE_PARAPHRASE = "Russia said no to a month-long truce with Ukraine."
UNRELATED = "Bake the bread for forty minutes until the crust is golden."
TEXTS = [TRUCE, TRUCE_PARAPHRASE, UNRELATED, "Peskov", "x " * 600]


@pytest.fixture(scope="module")
def onnx_int8() -> OnnxInt8Embedder:
    return OnnxInt8Embedder(MODELS_DIR)


@pytest.fixture(scope="module")
def static() -> Model2VecEmbedder:
    return Model2VecEmbedder(MODELS_DIR)


def _matrix(embedder: Embedder, texts: list[str]) -> np.ndarray:
    return np.asarray(embedder.embed(texts), dtype=np.float64)


@pytest.mark.parametrize(("name", "dim"), [("onnx_int8", 384), ("static", 256)])
def test_unit_vectors_of_the_model_dimension(
    request: pytest.FixtureRequest, name: str, dim: int
) -> None:
    embedder: Embedder = request.getfixturevalue(name)
    vectors = _matrix(embedder, TEXTS)
    assert vectors.shape == (len(TEXTS), dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.embed([]) == []


@pytest.mark.parametrize("name", ["onnx_int8", "static"])
def test_deterministic_and_order_preserving(request: pytest.FixtureRequest, name: str) -> None:
    embedder: Embedder = request.getfixturevalue(name)
    first = _matrix(embedder, TEXTS)
    assert np.array_equal(first, _matrix(embedder, TEXTS))
    # Reversed input must give the same rows reversed (the ONNX adapter sorts by length inside).
    reversed_rows = _matrix(embedder, TEXTS[::-1])[::-1]
    assert np.allclose(first, reversed_rows, atol=0.02)


@pytest.mark.parametrize("name", ["onnx_int8", "static"])
def test_paraphrase_is_closer_than_an_unrelated_text(
    request: pytest.FixtureRequest, name: str
) -> None:
    truce, paraphrase, unrelated = _matrix(request.getfixturevalue(name), TEXTS[:3])
    assert truce @ paraphrase > truce @ unrelated + 0.2


def test_onnx_int8_reproduces_the_torch_model(
    onnx_int8: OnnxInt8Embedder, minilm: Embedder
) -> None:
    """Quantization moves vectors a little (mean cosine 0.992 measured), not into another space."""
    cosines = (_matrix(onnx_int8, TEXTS) * _matrix(minilm, TEXTS)).sum(axis=1)
    assert cosines.min() > 0.97


def test_model_ids_name_separate_collections(tmp_path: Path) -> None:
    ids = {
        name: build_embedder(make_settings(tmp_path, embedder=name)).model_id
        for name in ("minilm", "onnx-int8", "model2vec")
    }
    assert len(set(ids.values())) == 3
    names = {build_store(make_settings(tmp_path), m).chunk_collection_name for m in ids.values()}
    assert len(names) == 3


def test_settings_select_the_adapters(tmp_path: Path) -> None:
    assert isinstance(
        build_embedder(make_settings(tmp_path, embedder="onnx-int8")), OnnxInt8Embedder
    )
    assert isinstance(
        build_embedder(make_settings(tmp_path, embedder="model2vec")), Model2VecEmbedder
    )


def test_onnx_export_builds_from_the_wheel_with_the_network_blocked(tmp_path: Path) -> None:
    """A fresh cache directory: the export itself runs offline (sockets are blocked here)."""
    embedder = OnnxInt8Embedder(tmp_path)
    built = embedder.ensure_built()
    assert (built / MARKER).is_file() and (built / "model.onnx").stat().st_size > 10_000_000
    vector = embedder.embed([TRUCE])[0]
    assert len(vector) == 384
