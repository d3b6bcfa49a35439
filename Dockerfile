# The same steps as the Makefile: install into .venv, fetch and verify the
# models at build time (never at serve time), then serve.
FROM python:3.11-slim-bookworm

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

ENV AURUM_HOST=0.0.0.0 \
    AURUM_GRPC_PORT=50051 \
    AURUM_REST_PORT=8000 \
    AURUM_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 50051 8000 9464

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/app/.venv/bin/aurum-ml", "health", "--target", "localhost:50051"]

# exec form: SIGTERM reaches the server, which drains calls and exits 0.
CMD ["/app/.venv/bin/aurum-ml", "serve"]
