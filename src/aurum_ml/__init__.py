"""aurum-ml: face detection, embeddings, image processing, similarity and face search."""

__version__ = "0.1.0"
