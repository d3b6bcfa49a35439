"""API keys, rate limits, mutual TLS, metrics and logs on the gRPC side."""

from __future__ import annotations

import json
import socket
import time
import urllib.request

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from aurum.ml.v1 import common_pb2, detection_pb2, detection_pb2_grpc
from aurum_ml.testing import running_server
from tests.certs import make_certs

KEY = "test-key-0123456789abcdef"


def _detect(ch: grpc.Channel, photos, metadata=None, timeout=30):
    req = detection_pb2.DetectRequest(
        image=common_pb2.Image(data=(photos / "yaoming.jpg").read_bytes())
    )
    return detection_pb2_grpc.FaceDetectionStub(ch).Detect(req, metadata=metadata, timeout=timeout)


def test_api_keys(photos):
    with running_server(env={"AURUM_API_KEYS": KEY}) as srv, srv.channel() as ch:
        for md in (None, [("authorization", "Bearer wrong-key-0123456789")], [("x-api-key", "")]):
            with pytest.raises(grpc.RpcError) as e:
                _detect(ch, photos, md)
            assert e.value.code() == grpc.StatusCode.UNAUTHENTICATED
            assert "key" in e.value.details()
        assert len(_detect(ch, photos, [("authorization", f"Bearer {KEY}")]).faces) == 1
        assert len(_detect(ch, photos, [("x-api-key", KEY)]).faces) == 1
        health = health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest())
        assert health.status == health_pb2.HealthCheckResponse.SERVING
        assert KEY not in srv.log(), "an API key reached the log"


def test_short_api_key_refused_at_start():
    with (
        pytest.raises(RuntimeError, match="at least 16 characters"),
        running_server(env={"AURUM_API_KEYS": "short"}),
    ):
        pass


def test_rate_limit_answers_resource_exhausted_and_recovers(photos):
    env = {"AURUM_RATE_LIMIT_RPS": "2", "AURUM_RATE_LIMIT_BURST": "3"}
    with running_server(env=env) as srv, srv.channel() as ch:
        codes = []
        for _ in range(6):
            try:
                _detect(ch, photos)
                codes.append("ok")
            except grpc.RpcError as e:
                codes.append(e.code())
        assert codes[:3] == ["ok"] * 3
        assert grpc.StatusCode.RESOURCE_EXHAUSTED in codes[3:]
        time.sleep(1.1)
        assert len(_detect(ch, photos).faces) == 1


def test_mutual_tls(tmp_path, photos):
    certs = make_certs(tmp_path)
    env = {
        "AURUM_TLS_CERT_FILE": str(certs.server_cert),
        "AURUM_TLS_KEY_FILE": str(certs.server_key),
        "AURUM_TLS_CLIENT_CA_FILE": str(certs.ca),
    }
    with running_server(env=env) as srv:
        target = f"localhost:{srv.grpc_port}"
        no_cert = grpc.ssl_channel_credentials(root_certificates=certs.ca.read_bytes())
        with grpc.secure_channel(target, no_cert) as ch, pytest.raises(grpc.RpcError) as e:
            _detect(ch, photos, timeout=5)
        assert e.value.code() == grpc.StatusCode.UNAVAILABLE
        with_cert = grpc.ssl_channel_credentials(
            root_certificates=certs.ca.read_bytes(),
            private_key=certs.client_key.read_bytes(),
            certificate_chain=certs.client_cert.read_bytes(),
        )
        with grpc.secure_channel(target, with_cert) as ch:
            assert len(_detect(ch, photos).faces) == 1
        with grpc.insecure_channel(target) as ch, pytest.raises(grpc.RpcError):
            _detect(ch, photos, timeout=5)


def test_metrics_and_structured_logs(server, channel, photos):
    _detect(channel, photos, metadata=[("x-request-id", "trace-abc-123")])
    with pytest.raises(grpc.RpcError):
        detection_pb2_grpc.FaceDetectionStub(channel).Detect(
            detection_pb2.DetectRequest(image=common_pb2.Image(data=b"junk"))
        )
    assert server.metrics_port
    body = urllib.request.urlopen(f"http://127.0.0.1:{server.metrics_port}/metrics").read().decode()
    assert (
        'aurum_requests_total{code="OK",method="/aurum.ml.v1.FaceDetection/Detect",transport="grpc"}'
        in body
    )
    assert 'code="INVALID_ARGUMENT"' in body
    assert "aurum_request_seconds_bucket" in body
    assert "aurum_batch_rows_bucket" in body
    assert "aurum_admitted_work" in body
    time.sleep(0.2)
    lines = [json.loads(ln) for ln in server.log().splitlines() if ln.startswith("{")]
    access = [ln for ln in lines if ln.get("logger") == "aurum_ml.access"]
    assert any(ln["request_id"] == "trace-abc-123" and ln["code"] == "OK" for ln in access)
    assert all("duration_ms" in ln and "method" in ln for ln in access)


def test_slow_rest_clients_are_cut_off_and_others_keep_being_answered():
    """Slowloris: connections that never finish their headers, or their body,
    are closed after AURUM_REST_READ_TIMEOUT_S; a normal client is answered
    meanwhile, and a keep-alive client's second request still works."""
    with running_server({"AURUM_REST_READ_TIMEOUT_S": "1"}) as srv:
        slow = []
        for i in range(40):
            s = socket.create_connection(("127.0.0.1", srv.rest_port), timeout=10)
            if i % 2:
                s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")  # headers never end
            else:
                s.sendall(
                    b"POST /api/detect-face HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
                )  # the body never comes
            slow.append(s)
        with httpx.Client(base_url=srv.rest_url, timeout=5) as http:
            began = time.monotonic()
            assert http.get("/api/health").status_code == 200
            assert time.monotonic() - began < 0.5
            time.sleep(0.6)
            assert http.get("/api/health").status_code == 200  # same connection, later
        began = time.monotonic()
        for s in slow:
            # The server closes it: recv sees the end of the stream.
            assert s.recv(1024) == b""
            s.close()
        assert time.monotonic() - began < 3
