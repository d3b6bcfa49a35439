"""The job-queue door: BullMQ `faceScoring` jobs over the same core as gRPC and REST."""

from aurum_ml.jobs.consumer import FaceScoringConsumer

__all__ = ["FaceScoringConsumer"]
