"""Throwaway CA, server and client certificates for the TLS tests."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class CertSet:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> Path:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name | None,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    usage: ExtendedKeyUsageOID | list[ExtendedKeyUsageOID] | None = None,
    server: bool = False,
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = dt.datetime.now(dt.UTC)
    b = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer or name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if usage is not None:
        usages = usage if isinstance(usage, list) else [usage]
        b = b.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    if server:
        b = b.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    return b.sign(issuer_key, hashes.SHA256())


def make_certs(folder: Path, *, server_client_auth: bool = False) -> CertSet:
    """A CA, a server certificate (for localhost and 127.0.0.1) and a client
    certificate it signed. ``server_client_auth``: the server's certificate
    may also authenticate a client (as cert-manager's and many CAs' are)."""
    ca_key = _key()
    ca = _cert("aurum-test-ca", ca_key, None, ca_key, ca=True)
    server_key, client_key = _key(), _key()
    server_usage = [ExtendedKeyUsageOID.SERVER_AUTH]
    if server_client_auth:
        server_usage.append(ExtendedKeyUsageOID.CLIENT_AUTH)
    server = _cert(
        "localhost",
        server_key,
        ca.subject,
        ca_key,
        ca=False,
        usage=server_usage,
        server=True,
    )
    client = _cert(
        "aurum-test-client",
        client_key,
        ca.subject,
        ca_key,
        ca=False,
        usage=ExtendedKeyUsageOID.CLIENT_AUTH,
    )
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    (folder / "server.pem").write_bytes(server.public_bytes(pem))
    (folder / "client.pem").write_bytes(client.public_bytes(pem))
    return CertSet(
        ca=folder / "ca.pem",
        server_cert=folder / "server.pem",
        server_key=_write_key(server_key, folder / "server.key"),
        client_cert=folder / "client.pem",
        client_key=_write_key(client_key, folder / "client.key"),
    )


def make_self_signed(folder: Path, name: str = "localhost") -> tuple[Path, Path]:
    """A self-signed server certificate and its key, like `openssl req -x509
    -newkey ... -subj /CN=NAME -addext subjectAltName=DNS:NAME` makes (with
    127.0.0.1 too when NAME is localhost)."""
    key = _key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    names: list[x509.GeneralName] = [x509.DNSName(name)]
    if name == "localhost":
        names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(key, hashes.SHA256())
    )
    path = folder / f"{name}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path, _write_key(key, folder / f"{name}.key")
