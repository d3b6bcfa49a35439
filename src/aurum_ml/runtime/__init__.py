"""ONNX Runtime sessions, pools and the micro-batcher: the only code that calls ORT."""

from aurum_ml.runtime.session_pool import Runner, SessionOptions, SessionPool

__all__ = ["Runner", "SessionOptions", "SessionPool"]
