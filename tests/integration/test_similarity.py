from __future__ import annotations

import time

import grpc
import numpy as np
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from aurum.ml.v1 import similarity_pb2, similarity_pb2_grpc


@pytest.fixture(scope="module")
def stub(channel: grpc.Channel) -> similarity_pb2_grpc.SimilarityStub:
    return similarity_pb2_grpc.SimilarityStub(channel)


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.standard_normal((n, 512)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_compare_many_matches_numpy(stub):
    rng = np.random.default_rng(7)
    cands = _unit(rng, 1000)
    query = cands[123] * 0.8 + _unit(rng, 1)[0] * 0.2
    resp = stub.CompareMany(
        similarity_pb2.CompareManyRequest(
            query=query.tolist(),
            candidates=[similarity_pb2.Embedding(values=c.tolist()) for c in cands],
            top_k=5,
        )
    )
    expected = cands @ (query / np.linalg.norm(query))
    np.testing.assert_allclose(np.array(resp.scores), expected, atol=1e-5)
    assert [m.index for m in resp.matches] == list(np.argsort(-expected)[:5])
    assert resp.matches[0].index == 123 and resp.matches[0].is_match
    assert resp.metric == similarity_pb2.METRIC_COSINE


def test_compare_cosine_and_euclidean(stub):
    rng = np.random.default_rng(1)
    a, b = _unit(rng, 2)
    cos = stub.Compare(
        similarity_pb2.CompareRequest(embedding_a=a.tolist(), embedding_b=b.tolist())
    )
    assert cos.score == pytest.approx(float(a @ b), abs=1e-5)
    assert not cos.is_match
    euc = stub.Compare(
        similarity_pb2.CompareRequest(
            embedding_a=a.tolist(), embedding_b=a.tolist(), metric=similarity_pb2.METRIC_EUCLIDEAN
        )
    )
    assert euc.score == pytest.approx(0.0, abs=1e-3)
    assert euc.is_match
    custom = stub.Compare(
        similarity_pb2.CompareRequest(
            embedding_a=a.tolist(), embedding_b=b.tolist(), threshold=-1.0
        )
    )
    assert custom.is_match and custom.threshold == -1.0


@pytest.mark.parametrize(
    "req",
    [
        similarity_pb2.CompareRequest(embedding_a=[1.0, 0.0], embedding_b=[1.0, 0.0, 0.0]),
        similarity_pb2.CompareRequest(embedding_a=[], embedding_b=[]),
        similarity_pb2.CompareRequest(embedding_a=[0.0, 0.0], embedding_b=[1.0, 0.0]),
        similarity_pb2.CompareRequest(embedding_a=[float("nan")], embedding_b=[1.0]),
        similarity_pb2.CompareRequest(embedding_a=[1.0], embedding_b=[1.0], metric=99),
    ],
    ids=["length", "empty", "zero", "nan", "metric"],
)
def test_compare_rejects_bad_embeddings(stub, req):
    with pytest.raises(grpc.RpcError) as e:
        stub.Compare(req)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert e.value.details()


def test_huge_values_do_not_overflow(stub):
    a = [1e20, 2e20, 0.0]
    resp = stub.Compare(similarity_pb2.CompareRequest(embedding_a=a, embedding_b=[1.0, 2.0, 0.0]))
    assert resp.score == pytest.approx(1.0, abs=1e-5)
    many = stub.CompareMany(
        similarity_pb2.CompareManyRequest(
            query=[1.0, 2.0, 0.0], candidates=[similarity_pb2.Embedding(values=a)]
        )
    )
    assert many.scores[0] == pytest.approx(1.0, abs=1e-5)


def test_too_many_candidates_are_refused_at_once_and_health_keeps_answering(channel):
    """700,000 one-value candidates fit in the 8 MiB limit; the count is checked
    before they are converted, and big requests are converted off the event
    loop, so a health check sent meanwhile is answered promptly."""
    many = similarity_pb2.CompareManyRequest(
        query=[1.0], candidates=[similarity_pb2.Embedding(values=[1.0])] * 700_000
    )
    big = similarity_pb2.CompareManyRequest(
        query=[1.0, 0.0], candidates=[similarity_pb2.Embedding(values=[1.0, 0.5])] * 100_000
    )
    stub = similarity_pb2_grpc.SimilarityStub(channel)
    health = health_pb2_grpc.HealthStub(channel)
    began = time.monotonic()
    with pytest.raises(grpc.RpcError) as e:
        stub.CompareMany(many, timeout=30)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "at most 100000 candidates" in e.value.details()
    assert time.monotonic() - began < 1.0
    # The largest accepted request, while health checks go on beside it.
    pending = stub.CompareMany.future(big, timeout=30)
    waits = []
    while not pending.done():
        t = time.monotonic()
        health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
        waits.append(time.monotonic() - t)
    assert len(pending.result().scores) == 100_000
    assert not waits or max(waits) < 0.25, waits
