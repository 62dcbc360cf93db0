"""A real IMAP server for the tests: Debian's Dovecot, started on a free loopback port with its own config.

The server offers imaps (SSL, a self-signed certificate made for 127.0.0.1) and imap with STARTTLS,
logs in one test user from a password file and keeps mail in a temporary Maildir. `.ci/run`
installs dovecot-imapd; without it these tests fail, they do not skip.
"""
from __future__ import annotations

import getpass
import imaplib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

USER = "shop@example.com"
PASSWORD = "s3cret-imap"
CANDIDATES = ("dovecot", "/usr/sbin/dovecot")


def find_dovecot() -> str:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("dovecot is not installed: run `apt-get install -y dovecot-imapd` (.ci/run does)", pytrace=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Dovecot:
    def __init__(self) -> None:
        self.binary = find_dovecot()
        # Not under pytest's tmp_path: that is private to its owner, and Dovecot's mail processes
        # run as an unprivileged user when the tests run as root.
        self.root = Path(tempfile.mkdtemp(prefix="sheetreturns-dovecot-"))
        os.chmod(self.root, 0o755)
        self.imap_port, self.imaps_port = free_port(), free_port()
        self.cert = self.root / "cert.pem"
        self.process: subprocess.Popen | None = None

    def start(self) -> "Dovecot":
        key = self.root / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(self.cert),
             "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
            check=True, capture_output=True,
        )
        (self.root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        mail = self.root / "mail"
        mail.mkdir()
        if os.geteuid() == 0:
            owner = pwd.getpwnam("dovecot")  # mail may not be read as root: Dovecot refuses uid 0
            os.chown(mail, owner.pw_uid, owner.pw_gid)
            users = f"uid={owner.pw_uid} gid={owner.pw_gid}"
            accounts = ""
        else:
            me = getpass.getuser()
            users = f"uid={os.getuid()} gid={os.getgid()}"
            accounts = f"default_login_user = {me}\ndefault_internal_user = {me}\n"
        config = self.root / "dovecot.conf"
        config.write_text(f"""\
protocols = imap
listen = 127.0.0.1
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
{accounts}ssl = yes
ssl_cert = <{self.cert}
ssl_key = <{key}
auth_mechanisms = plain login
disable_plaintext_auth = no
auth_failure_delay = 0
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/users
}}
userdb {{
  driver = static
  args = {users} home={mail}/%u
}}
mail_location = maildir:{mail}/%u/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.imaps_port}
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
""")
        self.process = subprocess.Popen([self.binary, "-F", "-c", str(config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot did not start: {self.process.stderr.read().decode()} {self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.imaps_port), timeout=1).close()
                socket.create_connection(("127.0.0.1", self.imap_port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"dovecot did not listen within 15 s: {self.log()}")

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- as a mail client would ------------------------------------------------------

    def client(self) -> imaplib.IMAP4_SSL:
        context = ssl.create_default_context(cafile=str(self.cert))
        conn = imaplib.IMAP4_SSL("127.0.0.1", self.imaps_port, ssl_context=context)
        conn.login(USER, PASSWORD)
        return conn

    def deliver(self, folder: str, messages: list[bytes]) -> None:
        """Put messages into a folder (created if needed), as a mail filter would."""
        conn = self.client()
        try:
            conn.create(f'"{folder}"')
            for raw in messages:
                typ, data = conn.append(f'"{folder}"', None, None, raw)
                assert typ == "OK", data
        finally:
            conn.logout()

    def message_ids(self, folder: str) -> list[str]:
        conn = self.client()
        try:
            typ, data = conn.select(f'"{folder}"', readonly=True)
            if typ != "OK":
                return []
            typ, data = conn.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            ids = []
            for part in data:
                if isinstance(part, tuple):
                    text = part[1].decode().strip()
                    ids.append(text.split(":", 1)[1].strip() if ":" in text else "")
            return ids
        finally:
            conn.logout()

    def flags(self, folder: str) -> list[str]:
        conn = self.client()
        try:
            conn.select(f'"{folder}"', readonly=True)
            typ, data = conn.uid("FETCH", "1:*", "(FLAGS)")
            return [d.decode() for d in data if isinstance(d, bytes)]
        finally:
            conn.logout()

    def url(self, folder: str, *, secure: bool = True) -> str:
        user = USER.replace("@", "%40")
        if secure:
            return f"imaps://{user}@127.0.0.1:{self.imaps_port}/{folder}"
        return f"imap://{user}@127.0.0.1:{self.imap_port}/{folder}"
