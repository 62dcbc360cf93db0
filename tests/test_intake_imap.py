"""Reading return notices from a real IMAP server (Dovecot on 127.0.0.1): SSL, STARTTLS, logins, folders, moving."""
from __future__ import annotations

import keyring
import keyring.backend
import pytest

from sheetreturns.errors import SheetReturnsError
from sheetreturns.intake.extract import extract
from sheetreturns.intake.message import message_key, read_message
from sheetreturns.intake.rules import BUILT_IN_RULES
from sheetreturns.settings.intake import IntakeSettings, open_source
from tests.dovecot import PASSWORD, USER
from tests.intake_corpus import good_notice

ENV = "SHEETRETURNS_TEST_IMAP_PASSWORD"


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv(ENV, PASSWORD)


def settings_for(server, folder: str, **values) -> IntakeSettings:
    secure = values.pop("secure", True)
    values.setdefault("ca_file", server.cert)
    return IntakeSettings(mailbox=server.url(folder, secure=secure), password_env=ENV, **values)


def read_all(source) -> list[tuple[str, bytes]]:
    items = source.list()
    return list(source.fetch([item.ref for item in items]))


@pytest.mark.dovecot
@pytest.mark.network
@pytest.mark.slow
def test_notices_in_an_imap_folder_are_read_over_ssl_with_their_lines(dovecot, password):
    mails = [good_notice(n) for n in (3, 4, 5)]  # Amazon forwarded, eBay HTML, Etsy attached
    dovecot.deliver("Returns-ssl", [m.raw for m in mails])
    source = open_source(settings_for(dovecot, "Returns-ssl"), writable=False)
    try:
        fetched = read_all(source)
    finally:
        source.close()
    assert len(fetched) == 3
    for mail, (ref, raw) in zip(mails, fetched):
        notice = read_message(raw)
        assert notice.key == mail.message_id
        assert extract(notice, list(BUILT_IN_RULES)).lines == mail.lines


@pytest.mark.dovecot
@pytest.mark.network
@pytest.mark.slow
def test_starttls_on_the_plain_port_reads_the_same_folder(dovecot, password):
    mail = good_notice(6)
    dovecot.deliver("Returns-starttls", [mail.raw])
    source = open_source(settings_for(dovecot, "Returns-starttls", secure=False), writable=False)
    try:
        assert [read_message(raw).key for _, raw in read_all(source)] == [mail.message_id]
        assert source.conn.sock.version().startswith("TLS")
    finally:
        source.close()


@pytest.mark.dovecot
@pytest.mark.network
@pytest.mark.slow
def test_security_none_reads_without_tls_when_asked(dovecot, password):
    dovecot.deliver("Returns-plain", [good_notice(7).raw])
    source = open_source(settings_for(dovecot, "Returns-plain", secure=False, security="none"), writable=False)
    try:
        assert len(source.list()) == 1
        assert not hasattr(source.conn.sock, "version")
    finally:
        source.close()


@pytest.mark.dovecot
@pytest.mark.network
@pytest.mark.slow
def test_listing_reads_headers_only_and_leaves_mail_unread(dovecot, password):
    mail = good_notice(8)
    dovecot.deliver("Returns-unseen", [mail.raw])
    source = open_source(settings_for(dovecot, "Returns-unseen"), writable=False)
    try:
        [item] = source.list()
        assert message_key(item.headers) == mail.message_id
        assert b"\n\n" not in item.headers.replace(b"\r\n", b"\n").rstrip(b"\n")  # no body in the header block
        assert item.size == len(mail.raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
        read_all(source)
    finally:
        source.close()
    assert all("\\Seen" not in flags for flags in dovecot.flags("Returns-unseen"))


@pytest.mark.dovecot
@pytest.mark.network
@pytest.mark.slow
def test_a_wrong_password_is_a_login_error_naming_the_user(dovecot, monkeypatch):
    monkeypatch.setenv(ENV, "not-the-password")
    with pytest.raises(SheetReturnsError, match=rf"IMAP login to 127.0.0.1 as {USER} failed"):
        open_source(settings_for(dovecot, "INBOX"), writable=False)


@pytest.mark.dovecot
@pytest.mark.network
@pytest.mark.slow
def test_an_untrusted_certificate_is_refused_with_what_to_do(dovecot, password):
    with pytest.raises(SheetReturnsError, match="certificate of 127.0.0.1 could not be verified.*ca_file"):
        open_source(settings_for(dovecot, "INBOX", ca_file=None), writable=False)


@pytest.mark.dovecot
@pytest.mark.network
@pytest.mark.slow
def test_a_missing_folder_names_the_folders_there_are(dovecot, password):
    dovecot.deliver("Returns-existing", [good_notice(9).raw])
    with pytest.raises(SheetReturnsError, match=r"no folder 'Retrns' on 127.0.0.1 \(folders: .*Returns-existing"):
        open_source(settings_for(dovecot, "Retrns"), writable=False)


@pytest.mark.dovecot
@pytest.mark.network
@pytest.mark.slow
def test_nothing_listening_is_a_clear_error(dovecot, password):
    settings = IntakeSettings(mailbox=f"imaps://{USER.replace('@', '%40')}@127.0.0.1:1/INBOX", password_env=ENV)
    with pytest.raises(SheetReturnsError, match="cannot reach the IMAP server 127.0.0.1:1"):
        open_source(settings, writable=False)


@pytest.mark.dovecot
@pytest.mark.network
@pytest.mark.slow
def test_a_password_in_the_address_is_refused(dovecot, password):
    settings = IntakeSettings(mailbox=f"imaps://shop:{PASSWORD}@127.0.0.1:{dovecot.imaps_port}/INBOX", password_env=ENV)
    with pytest.raises(SheetReturnsError, match="contains a password"):
        open_source(settings, writable=False)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring backend held in memory: keyring's documented way to plug in a store."""

    priority = 1

    def __init__(self, passwords: dict[tuple[str, str], str]) -> None:
        super().__init__()
        self.passwords = passwords

    def get_password(self, service, username):
        return self.passwords.get((service, username))

    def set_password(self, service, username, password):
        self.passwords[(service, username)] = password

    def delete_password(self, service, username):
        self.passwords.pop((service, username), None)


@pytest.fixture
def memory_keyring(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    before = keyring.get_keyring()
    store = MemoryKeyring({})
    keyring.set_keyring(store)
    yield store
    keyring.set_keyring(before)


@pytest.mark.dovecot
@pytest.mark.network
@pytest.mark.slow
def test_without_the_environment_variable_the_password_comes_from_the_keyring(dovecot, memory_keyring):
    memory_keyring.set_password("sheetreturns-imap", USER, PASSWORD)
    dovecot.deliver("Returns-keyring", [good_notice(11).raw])
    source = open_source(settings_for(dovecot, "Returns-keyring"), writable=False)
    try:
        assert len(source.list()) == 1
    finally:
        source.close()


@pytest.mark.dovecot
@pytest.mark.network
@pytest.mark.slow
def test_no_password_anywhere_says_where_to_put_it(dovecot, memory_keyring):
    with pytest.raises(SheetReturnsError, match=rf"no password for {USER}.*{ENV}.*sheetreturns password set imap --user {USER}"):
        open_source(settings_for(dovecot, "INBOX"), writable=False)


@pytest.mark.dovecot
@pytest.mark.network
@pytest.mark.slow
def test_moving_puts_messages_in_a_subfolder_and_leaves_the_rest(dovecot, password):
    mails = [good_notice(n) for n in (12, 13, 14)]
    dovecot.deliver("Returns-move", [m.raw for m in mails])
    source = open_source(settings_for(dovecot, "Returns-move"), writable=True)
    try:
        items = source.list()
        keep = [i.ref for i in items if message_key(i.headers) == mails[1].message_id]
        moved = [i.ref for i in items if i.ref not in keep]
        assert source.move(moved, "Returns-move/Recorded") == 2
    finally:
        source.close()
    assert dovecot.message_ids("Returns-move") == [mails[1].message_id]
    assert sorted(dovecot.message_ids("Returns-move.Recorded")) == sorted([mails[0].message_id, mails[2].message_id])


@pytest.mark.dovecot
@pytest.mark.network
@pytest.mark.slow
def test_a_folder_named_in_any_language_is_found(dovecot, password):
    from sheetreturns.intake.imap import encode_folder

    assert encode_folder("Rücksendungen & Retouren") == '"R&APw-cksendungen &- Retouren"'
    conn = dovecot.client()
    try:
        conn.create(encode_folder("Rücksendungen & Retouren"))
        conn.append(encode_folder("Rücksendungen & Retouren"), None, None, good_notice(15).raw)
    finally:
        conn.logout()
    settings = settings_for(dovecot, "Rücksendungen %26 Retouren")
    settings.mailbox = settings.mailbox.replace("Rücksendungen", "R%C3%BCcksendungen")
    source = open_source(settings, writable=False)
    try:
        assert [message_key(i.headers) for i in source.list()] == [good_notice(15).message_id]
    finally:
        source.close()
