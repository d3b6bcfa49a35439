# aurum-ml images. Two targets, built the way the Makefile builds: install into
# .venv and fetch and verify the models at build time (never at serve time).
#
#   docker build --target cpu -t aurum-ml:cpu .   CPU only (ONNX Runtime's CPU wheel, no CUDA)
#   docker build --target gpu -t aurum-ml:gpu .   CUDA 13 + cuDNN 9 runtime, run with --gpus all
#   docker build .                                 the same as --target gpu (the last stage)
#
# Both run as the unprivileged user aurum (uid and gid 10001), which owns /data
# and nothing else: the code, .venv and the models stay root's and read-only.
# tests/test_deploy.py checks this file (non-root USER, exec-form CMD, the make
# targets equal to those behind `make run`).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- build: `make install-runtime models`, exactly what `make run` sets up ----
FROM ${PYTHON_IMAGE} AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml constraints.txt Makefile README.md ./
COPY protos ./protos
COPY generated ./generated
COPY src ./src
COPY models/manifest.json ./models/manifest.json
# The archives the models came from are only kept for tests and the benchmark.
RUN make install-runtime models && rm -rf models/.archives

# ---- build-cpu: ONNX Runtime's CPU wheel in place of onnxruntime-gpu ----
# pyproject installs onnxruntime-gpu on Linux x86-64 and onnxruntime elsewhere,
# both at one pinned version; swap in the CPU wheel at that same version (its
# dependencies are the GPU wheel's). Elsewhere (arm64) there is nothing to swap.
FROM build AS build-cpu
RUN if .venv/bin/pip show --quiet onnxruntime-gpu 2>/dev/null; then \
        ort="$(.venv/bin/python -c 'from importlib.metadata import version; print(version("onnxruntime-gpu"))')" \
        && .venv/bin/pip uninstall --quiet --yes onnxruntime-gpu \
        && .venv/bin/pip install --quiet --no-deps "onnxruntime==${ort}"; \
    fi \
    && .venv/bin/python -c 'import onnxruntime as o; p = o.get_available_providers(); assert "CUDAExecutionProvider" not in p, p'

# ---- build-gpu: the CUDA and cuDNN libraries this onnxruntime-gpu was built for ----
# onnxruntime-gpu ships no CUDA; its `cuda` and `cudnn` extras name the NVIDIA
# wheels (CUDA 13, cuDNN 9) that match it, pinned in constraints.txt like the
# rest. They unpack under site-packages/nvidia, linked as .venv/nvidia for the
# gpu stage's LD_LIBRARY_PATH; the checks fail the build if the libraries are
# not where that path says.
FROM build AS build-gpu
RUN ort="$(.venv/bin/python -c 'from importlib.metadata import version; print(version("onnxruntime-gpu"))')" \
    && .venv/bin/pip install --quiet -c constraints.txt "onnxruntime-gpu[cuda,cudnn]==${ort}" \
    && ln -s "$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')/nvidia" .venv/nvidia \
    && test -e .venv/nvidia/cu13/lib/libcudart.so.13 \
    && test -e .venv/nvidia/cu13/lib/libcublas.so.13 \
    && test -e .venv/nvidia/cudnn/lib/libcudnn.so.9

# ---- runtime: what both images share ----
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 aurum \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin aurum \
    && mkdir /data \
    && chown 10001:10001 /data
WORKDIR /app
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    AURUM_HOST=0.0.0.0 \
    AURUM_GRPC_PORT=50051 \
    AURUM_REST_PORT=8000 \
    AURUM_METRICS_PORT=9464 \
    AURUM_MODELS_DIR=/app/models \
    AURUM_DATA_DIR=/data
# The embedded face store lives here; with AURUM_QDRANT_URL nothing is written.
VOLUME ["/data"]
EXPOSE 50051 8000 9464
USER 10001:10001
# The gRPC health service ("" is SERVING while the server answers). With
# AURUM_TLS_* set, `aurum-ml health` speaks TLS too, trusting the server's own
# certificate (and client CA) from the same settings.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["aurum-ml", "health", "--target", "127.0.0.1:50051", "--timeout", "4"]
# exec form: SIGTERM reaches the server, which drains calls and exits 0.
CMD ["aurum-ml", "serve"]

# ---- cpu ----
FROM runtime AS cpu
COPY --from=build-cpu /app /app
ENV AURUM_PROVIDERS=CPUExecutionProvider

# ---- gpu (the default target: the last stage) ----
FROM runtime AS gpu
COPY --from=build-gpu /app /app
ENV LD_LIBRARY_PATH=/app/.venv/nvidia/cu13/lib:/app/.venv/nvidia/cudnn/lib \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
