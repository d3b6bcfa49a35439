"""Thin servicers: convert, call the core, convert back."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import grpc

from aurum.ml.v1 import (
    common_pb2,
    detection_pb2,
    detection_pb2_grpc,
    embedding_pb2,
    embedding_pb2_grpc,
    processing_pb2,
    processing_pb2_grpc,
    similarity_pb2,
    similarity_pb2_grpc,
)
from aurum_ml import similarity
from aurum_ml.core import Core, ModelChoice
from aurum_ml.errors import AurumError, InvalidInput
from aurum_ml.grpc import converters as cv
from aurum_ml.grpc.errors import mapped

Ctx = grpc.aio.ServicerContext[Any, Any]
T = TypeVar("T")
A = TypeVar("A")


async def _per_item(
    requests: Sequence[Any],
    convert: Callable[[Any], A],
    run: Callable[[list[A]], Awaitable[list[T | AurumError]]],
    max_items: int,
) -> list[T | AurumError]:
    """Convert each batch item on its own, so one malformed item (no image,
    an unknown detector) fails alone, as the batch RPCs promise, instead of
    failing the whole call."""
    if len(requests) > max_items:
        raise InvalidInput(f"the batch has {len(requests)} items; at most {max_items} are accepted")
    if not requests:
        return await run([])  # the core says the batch is empty
    converted: list[A | AurumError] = []
    for r in requests:
        try:
            converted.append(convert(r))
        except AurumError as e:
            converted.append(e)
    good = [c for c in converted if not isinstance(c, AurumError)]
    results = iter(await run(good) if good else [])
    return [c if isinstance(c, AurumError) else next(results) for c in converted]


def _model(sel: common_pb2.ModelSelector, context: Ctx) -> ModelChoice:
    """The request's model choice; its routing key may come as the
    ``x-routing-key`` metadata instead (the field wins)."""
    choice = cv.model_in(sel)
    if choice.routing_key:
        return choice
    for key, value in context.invocation_metadata() or ():
        if key == "x-routing-key" and isinstance(value, str) and value:
            return dataclasses.replace(choice, routing_key=value)
    return choice


class FaceDetectionServicer(detection_pb2_grpc.FaceDetectionServicer):
    def __init__(self, core: Core) -> None:
        self.core = core

    @mapped
    async def Detect(
        self, request: detection_pb2.DetectRequest, context: Ctx
    ) -> detection_pb2.DetectResponse:
        image, conf, cap, det, lm106 = cv.detect_args(request)
        model = _model(request.model, context)
        return cv.detect_pb(
            await self.core.detect(image, conf, cap, det, context.time_remaining(), lm106, model)
        )

    @mapped
    async def DetectBatch(
        self, request: detection_pb2.DetectBatchRequest, context: Ctx
    ) -> detection_pb2.DetectBatchResponse:
        results = await _per_item(
            request.requests,
            cv.detect_args,
            lambda items: self.core.detect_batch(
                items, timeout=context.time_remaining(), model=_model(request.model, context)
            ),
            self.core.config.max_batch_items,
        )
        return detection_pb2.DetectBatchResponse(
            results=[
                detection_pb2.DetectBatchItem(error=cv.error_pb(r))
                if isinstance(r, AurumError)
                else detection_pb2.DetectBatchItem(response=cv.detect_pb(r))
                for r in results
            ]
        )


class FaceEmbeddingServicer(embedding_pb2_grpc.FaceEmbeddingServicer):
    def __init__(self, core: Core) -> None:
        self.core = core

    @mapped
    async def Embed(
        self, request: embedding_pb2.EmbedRequest, context: Ctx
    ) -> embedding_pb2.EmbedResponse:
        return cv.embed_pb(
            await self.core.embed(
                *cv.embed_args(request),
                timeout=context.time_remaining(),
                model=_model(request.model, context),
            )
        )

    @mapped
    async def EmbedBatch(
        self, request: embedding_pb2.EmbedBatchRequest, context: Ctx
    ) -> embedding_pb2.EmbedBatchResponse:
        results = await _per_item(
            request.requests,
            cv.embed_args,
            lambda items: self.core.embed_batch(
                items, timeout=context.time_remaining(), model=_model(request.model, context)
            ),
            self.core.config.max_batch_items,
        )
        return embedding_pb2.EmbedBatchResponse(
            results=[
                embedding_pb2.EmbedBatchItem(error=cv.error_pb(r))
                if isinstance(r, AurumError)
                else embedding_pb2.EmbedBatchItem(response=cv.embed_pb(r))
                for r in results
            ]
        )


class ImageProcessingServicer(processing_pb2_grpc.ImageProcessingServicer):
    def __init__(self, core: Core) -> None:
        self.core = core

    @mapped
    async def Process(
        self, request: processing_pb2.ProcessRequest, context: Ctx
    ) -> processing_pb2.ProcessResponse:
        result = await self.core.process(
            cv.image_in(request.image),
            cv.operations_in(request.operations),
            cv.format_in(request.output_format),
            request.encode_quality,
            timeout=context.time_remaining(),
        )
        return cv.process_pb(result)


class SimilarityServicer(similarity_pb2_grpc.SimilarityServicer):
    def __init__(self, core: Core) -> None:
        self.core = core

    @mapped
    async def Compare(
        self, request: similarity_pb2.CompareRequest, context: Ctx
    ) -> similarity_pb2.CompareResponse:
        threshold = request.threshold if request.HasField("threshold") else None
        result = self.core.compare(
            request.embedding_a, request.embedding_b, cv.metric_in(request.metric), threshold
        )
        return cv.compare_pb(result)

    @mapped
    async def CompareMany(
        self, request: similarity_pb2.CompareManyRequest, context: Ctx
    ) -> similarity_pb2.CompareManyResponse:
        threshold = request.threshold if request.HasField("threshold") else None
        metric = cv.metric_in(request.metric)

        def compare() -> similarity_pb2.CompareManyResponse:
            candidates = cv.candidates_in(request.candidates)
            result = self.core.compare_many(
                request.query, candidates, metric, threshold, request.top_k
            )
            return cv.compare_many_pb(result)

        if len(request.candidates) * max(1, len(request.query)) <= similarity.INLINE_VALUES:
            return compare()
        # Converting a big request holds the GIL for a while: off the loop, so
        # health checks and small calls keep being answered meanwhile.
        return await asyncio.to_thread(compare)
