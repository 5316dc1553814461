import datetime
import ipaddress
import ssl

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.email import Batch, PermanentError, Recipient
from app.email.smtp import SMTPBackend
from tests.servers import SMTPRecorder, free_port


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (cert path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def trusted(certificate, monkeypatch):
    """The client trusts our certificate (OpenSSL reads SSL_CERT_FILE)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def accept_only(username, password):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == username.encode() and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False)

    return authenticator


def one_message():
    return Batch(
        sender="status@example.com", subject="s", text="t", recipients=[Recipient("a@b.example")]
    )


@pytest.fixture
def starttls_server(trusted):
    recorder = SMTPRecorder()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=trusted,
        require_starttls=True,
        authenticator=accept_only("crier", "s3cret"),
        auth_require_tls=True,
    )
    controller.start()
    yield controller, recorder
    controller.stop()


def test_starttls_and_login_then_send(starttls_server):
    controller, recorder = starttls_server
    backend = SMTPBackend(
        host="127.0.0.1", port=controller.port, starttls=True, username="crier", password="s3cret"
    )
    assert backend.send(one_message()).accepted == 1
    assert len(recorder.messages) == 1


def test_a_wrong_password_fails_permanently(starttls_server):
    controller, recorder = starttls_server
    backend = SMTPBackend(
        host="127.0.0.1", port=controller.port, starttls=True, username="crier", password="nope"
    )
    backend.timeout = 5
    with pytest.raises(PermanentError) as caught:
        backend.send(one_message())
    assert "nope" not in caught.value.message and recorder.messages == []


def test_implicit_tls(trusted):
    recorder = SMTPRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), ssl_context=trusted)
    controller.start()
    try:
        backend = SMTPBackend(host="127.0.0.1", port=controller.port, ssl=True)
        assert backend.send(one_message()).accepted == 1
    finally:
        controller.stop()
    assert len(recorder.messages) == 1
