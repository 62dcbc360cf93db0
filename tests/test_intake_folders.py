"""Mail folders on disk (Maildir, mbox, a folder of .eml files), built in fixtures the way mail programs write them."""
from __future__ import annotations

import mailbox
from pathlib import Path

import pytest

from sheetreturns.settings.config_file import Config
from sheetreturns.errors import SheetReturnsError
from sheetreturns.intake.message import message_key
from sheetreturns.settings.intake import intake_settings, open_source
from tests.intake_corpus import good_notice, write_eml

NOTICES = [good_notice(n) for n in (1, 2, 3)]


def make_maildir(path: Path, mails=NOTICES) -> Path:
    box = mailbox.Maildir(str(path), create=True)
    for index, mail in enumerate(mails):
        message = mailbox.MaildirMessage(mail.raw)
        if index == 0:
            message.set_subdir("cur")  # one read already, the others new
            message.set_flags("S")
        box.add(message)
    box.close()
    return path


def make_mbox(path: Path, mails=NOTICES) -> Path:
    box = mailbox.mbox(str(path), create=True)
    box.lock()
    for mail in mails:
        box.add(mailbox.mboxMessage(mail.raw))
    box.flush()
    box.unlock()
    box.close()
    return path


def opened(mailbox_text: str, folder: Path):
    return open_source(intake_settings(Config(path=folder / "sheetreturns.toml", intake={"mailbox": mailbox_text})),
                       writable=False)


@pytest.mark.parametrize("kind, build", [
    ("maildir", make_maildir), ("mbox", make_mbox), ("eml", lambda p: write_eml(p, NOTICES)),
])
def test_each_local_folder_lists_and_fetches_every_message(tmp_path, kind, build):
    build(tmp_path / "Returns")
    source = opened(f"{kind}:Returns", tmp_path)  # relative to the config file's folder
    try:
        items = source.list()
        assert sorted(message_key(i.headers) for i in items) == sorted(m.message_id for m in NOTICES)
        fetched = dict(source.fetch([i.ref for i in items]))
        assert {i.ref: i.size for i in items} == {ref: len(raw) for ref, raw in fetched.items()}
        assert sorted(message_key(raw) for raw in fetched.values()) == sorted(m.message_id for m in NOTICES)
    finally:
        source.close()


def test_a_bare_path_is_recognised_as_maildir_mbox_or_eml_folder(tmp_path):
    make_maildir(tmp_path / "md")
    make_mbox(tmp_path / "box.mbox")
    write_eml(tmp_path / "eml", NOTICES)
    for name, label in (("md", "maildir:"), ("box.mbox", "mbox:"), ("eml", "eml:")):
        source = opened(str(tmp_path / name), tmp_path)
        assert source.label.startswith(label)
        source.close()


def test_a_folder_that_is_not_a_maildir_is_a_clear_error(tmp_path):
    (tmp_path / "plain").mkdir()
    with pytest.raises(SheetReturnsError, match="is not a Maildir folder"):
        opened(f"maildir:{tmp_path / 'plain'}", tmp_path)


def test_a_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(SheetReturnsError, match="neither a folder nor a file"):
        opened(str(tmp_path / "nowhere"), tmp_path)


def test_moving_in_a_maildir_goes_to_a_maildir_plus_plus_subfolder(tmp_path):
    root = make_maildir(tmp_path / "Maildir")
    source = opened(f"maildir:{root}", tmp_path)
    items = source.list()
    assert source.move([i.ref for i in items[:2]], "Recorded") == 2
    assert len(source.list()) == 1
    moved = mailbox.Maildir(str(root), create=False).get_folder("Recorded")
    assert len(moved) == 2


def test_moving_from_a_maildir_plus_plus_folder_makes_a_sibling(tmp_path):
    root = make_maildir(tmp_path / "Maildir")
    make_maildir(root / ".Returns")
    source = opened(f"maildir:{root / '.Returns'}", tmp_path)
    source.move([i.ref for i in source.list()], "Recorded")
    assert len(mailbox.Maildir(str(root), create=False).get_folder("Returns.Recorded")) == 3


def test_moving_in_an_eml_folder_goes_to_a_folder_inside_it(tmp_path):
    folder = write_eml(tmp_path / "eml", NOTICES)
    source = opened(f"eml:{folder}", tmp_path)
    source.move([source.list()[0].ref], "Recorded")
    assert (folder / "Recorded" / NOTICES[0].name).is_file()
    assert len(source.list()) == 2


def test_moving_out_of_an_mbox_is_refused_with_what_to_do(tmp_path):
    source = opened(f"mbox:{make_mbox(tmp_path / 'box')}", tmp_path)
    with pytest.raises(SheetReturnsError, match="not supported: remove move_to"):
        source.move(["0"], "Recorded")
    source.close()


def test_only_eml_files_are_read_from_an_eml_folder(tmp_path):
    folder = write_eml(tmp_path / "eml", NOTICES[:1])
    (folder / "notes.txt").write_text("Order ID: 1")
    (folder / "sub.eml").mkdir()
    source = opened(f"eml:{folder}", tmp_path)
    assert [i.ref for i in source.list()] == [NOTICES[0].name]


def test_an_unknown_kind_of_mailbox_says_which_kinds_there_are(tmp_path):
    with pytest.raises(SheetReturnsError, match=r"pop3:// is not a kind of mail folder .* imaps://USER@SERVER/FOLDER"):
        opened("pop3://shop@example.com/INBOX", tmp_path)
