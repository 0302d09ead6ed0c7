"""A real, throwaway Dovecot IMAP server for the email channel's tests and benchmarks.

Debian's ``dovecot-imapd`` (``/usr/sbin/dovecot``) runs in the foreground with a configuration
written here: it listens on 127.0.0.1 on two free ports (IMAP with STARTTLS, and IMAP over
TLS) with a certificate from a certificate authority made here (``ca_file``, for
``SAMPARK_MAIL_CA_FILE``), one passwd-file user and a Maildir the test fills by APPEND.

Dovecot's login processes refuse to run as root, so under root (CI) every process runs as
``nobody`` in a folder of its own under the system's temporary folder (pytest's folders are
private to root); as another user, everything runs as that user. Without Dovecot the fixture
skips with the package to install.

    with running_dovecot() as server:
        server.append(raw_bytes)
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.mail_sink import free_port

DOVECOT = "/usr/sbin/dovecot"
USER = "support"
PASSWORD = "imap-test-Secret-7"  # noqa: S105 - a throwaway test server's user
MISSING = "Dovecot is not installed (Debian: apt-get install dovecot-imapd); IMAP tests skipped"


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A certificate authority and a server certificate for 127.0.0.1 and localhost that it
    signed: (the authority's certificate, the server's certificate, the server's key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Sampark test mail CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


@dataclass
class Dovecot:
    root: Path
    imap_port: int
    imaps_port: int
    ca_file: Path
    process: subprocess.Popen
    user: str = USER
    password: str = PASSWORD
    host: str = "127.0.0.1"

    def mailbox_settings(self, security: str = "none") -> dict:
        """The Mailbox fields that reach this server (the password still to be sealed)."""
        port = self.imaps_port if security == "tls" else self.imap_port
        return {
            "imap_host": self.host,
            "imap_port": port,
            "imap_security": security,
            "imap_username": self.user,
        }

    def client(self):
        """A logged-in IMAP client over plain IMAP on loopback, for the test's own moves."""
        from imapclient import IMAPClient

        client = IMAPClient(self.host, port=self.imap_port, ssl=False, timeout=20)
        client.login(self.user, self.password)
        return client

    def append(self, raw: bytes, folder: str = "INBOX", flags=()) -> int:
        """Deliver ``raw`` into ``folder`` (made when missing); its UID."""
        client = self.client()
        try:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            response = client.append(folder, raw, flags=flags)
        finally:
            client.logout()
        # b"[APPENDUID <uidvalidity> <uid>] Append completed ..."
        return int(response.split(b"]")[0].split()[-1])

    def flags(self, folder: str = "INBOX") -> dict[int, tuple]:
        """UID → flags of every message in ``folder``."""
        client = self.client()
        try:
            client.select_folder(folder, readonly=True)
            fetched = client.fetch(client.search("ALL"), ["FLAGS"])
            return {uid: data[b"FLAGS"] for uid, data in fetched.items()}
        finally:
            client.logout()

    def restart(self) -> None:
        """Stop the server and start it again on the same ports, with the same mail."""
        self.stop()
        self.process = _start(self.root / "dovecot.conf")
        _wait_for_greeting(self)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def _config(root: Path, user: str, imap_port: int, imaps_port: int, capabilities: str) -> str:
    # Every path is ours, so nothing outside ``root`` is read or written.
    lines = [
        f"base_dir = {root}/run",
        f"state_dir = {root}/state",
        f"log_path = {root}/dovecot.log",
        f"default_internal_user = {user}",
        f"default_internal_group = {user_group(user)}",
        f"default_login_user = {user}",
        "protocols = imap",
        "listen = 127.0.0.1",
        "ssl = yes",
        f"ssl_cert = <{root}/server.pem",
        f"ssl_key = <{root}/server.key",
        "disable_plaintext_auth = no",
        "auth_mechanisms = plain login",
        "passdb {",
        "  driver = passwd-file",
        f"  args = scheme=PLAIN username_format=%u {root}/passwd",
        "}",
        "userdb {",
        "  driver = passwd-file",
        f"  args = username_format=%u {root}/passwd",
        "}",
        f"mail_location = maildir:{root}/mail/%u",
        "service anvil {",
        "  chroot =",
        "}",
        "service imap-login {",
        "  chroot =",
        "  inet_listener imap {",
        "    address = 127.0.0.1",
        f"    port = {imap_port}",
        "  }",
        "  inet_listener imaps {",
        "    address = 127.0.0.1",
        f"    port = {imaps_port}",
        "    ssl = yes",
        "  }",
        "}",
    ]
    if capabilities:
        lines.append(f"imap_capability = {capabilities}")
    return "\n".join(lines) + "\n"


def user_group(user: str) -> str:
    import grp

    return grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name


@contextlib.contextmanager
def running_dovecot(*, capabilities: str = "") -> Iterator[Dovecot]:
    """A Dovecot server for the time of the ``with``; ``capabilities`` replaces the list it
    advertises after login (to test a server without MOVE or IDLE)."""
    if not os.path.exists(DOVECOT):
        pytest.skip(MISSING)
    account = pwd.getpwnam("nobody") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    root = Path(tempfile.mkdtemp(prefix="sampark-dovecot-"))
    try:
        root.chmod(0o755)
        for sub in ("run", "state", "mail"):
            (root / sub).mkdir()
        os.chown(root / "mail", account.pw_uid, account.pw_gid)
        ca_file, _cert, _key = _certificates(root)
        (root / "passwd").write_text(
            f"{USER}:{{PLAIN}}{PASSWORD}:{account.pw_uid}:{account.pw_gid}::{root}/mail/{USER}::\n"
        )
        imap_port, imaps_port = free_port(), free_port()
        conf = root / "dovecot.conf"
        conf.write_text(_config(root, account.pw_name, imap_port, imaps_port, capabilities))
        server = Dovecot(root, imap_port, imaps_port, ca_file, _start(conf))
        try:
            _wait_for_greeting(server)
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _start(conf: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - Debian's dovecot, our configuration
        [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _wait_for_greeting(server: Dovecot) -> None:
    deadline = time.monotonic() + 20
    while True:
        if server.process.poll() is not None:
            log = server.root / "dovecot.log"
            detail = log.read_text() if log.exists() else server.process.stderr.read().decode()
            raise RuntimeError(f"dovecot exited with {server.process.returncode}: {detail}")
        try:
            with socket.create_connection((server.host, server.imap_port), timeout=1) as sock:
                if sock.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("dovecot did not start within 20 s")
        time.sleep(0.05)


def tls_context(server: Dovecot) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(server.ca_file))
