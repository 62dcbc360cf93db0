"""A sheet's state (email journal, run lock, assigned IDs, backups) belongs to the sheet, not to the folder a
command is started from: syncing one workbook from two folders, one after the other or at the same time,
delivers each email once over real SMTP, and state an earlier version kept in `.sheetreturns` in the working
folder is moved to the sheet's state folder without losing anything."""
import os
import shutil
import stat
import subprocess
import sys

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from sheetreturns import api
from sheetreturns.cli import main
from sheetreturns.emails.journal import Journal, journal_path
from sheetreturns.excel.safe_save import atomic_replace, Fingerprint
from sheetreturns.settings.config_file import Config
from sheetreturns.state import backup_folder, source_slug, user_state_dir

from .mail_server import MailServer
from .mail_support import AS_OF, EXAMPLE_DUE, EXAMPLE_RECIPIENTS, ROOT, SHOP, example_copy, overwrite_a_status

RUN_CLI = "import sys; from sheetreturns.cli import main; sys.argv[0] = 'sheetreturns'; main()"


def folder_config(folder, workbook, port):
    """A folder with its own sheetreturns.toml naming the shared workbook; no state_dir (the default)."""
    folder.mkdir()
    (folder / "sheetreturns.toml").write_text(
        f'source = "{workbook}"\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        f'from = "Willow & Wick <{SHOP}>"\n')
    return folder


def email_log(workbook):
    return CalamineWorkbook.from_path(str(workbook)).get_sheet_by_name("Email Log").to_python()[1:]


def recipients(server):
    return sorted(r.rcpt_tos[0] for r in server.received)


@pytest.mark.network
@pytest.mark.slow
def test_finding_1_syncing_one_workbook_from_two_folders_sends_each_email_once(tmp_path, monkeypatch):
    (tmp_path / "shop").mkdir()
    workbook = example_copy(tmp_path / "shop")
    with MailServer() as server:
        first = folder_config(tmp_path / "office", workbook, server.port)
        second = folder_config(tmp_path / "laptop", workbook, server.port)
        monkeypatch.chdir(first)
        done = CliRunner().invoke(main, ["sync", "--as-of", AS_OF.isoformat(), "--send-backlog"])
        assert done.exit_code == 0, done.output
        monkeypatch.chdir(second)
        again = CliRunner().invoke(main, ["sync", "--as-of", AS_OF.isoformat(), "--send-backlog"])
        assert again.exit_code == 0, again.output
    assert recipients(server) == EXAMPLE_RECIPIENTS  # each once
    assert len(email_log(workbook)) == len(EXAMPLE_DUE)  # the Email Log keeps its history
    assert not (second / ".sheetreturns").exists() or not any((second / ".sheetreturns").glob("*.sqlite"))


@pytest.mark.network
@pytest.mark.slow
def test_finding_1_two_syncs_started_at_once_from_two_folders_send_each_email_once(tmp_path):
    (tmp_path / "shop").mkdir()
    workbook = example_copy(tmp_path / "shop")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", RUN_CLI, "sync", "--as-of", AS_OF.isoformat(), "--send-backlog"]
    with MailServer(hold=("DATA", 1)) as server:  # the first run is mid-send when the second starts
        first = folder_config(tmp_path / "office", workbook, server.port)
        second = folder_config(tmp_path / "laptop", workbook, server.port)
        one = subprocess.Popen(command, cwd=first, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
        try:
            assert server.handler.reached.wait(60), one.communicate()
            two = subprocess.run(command, cwd=second, env=env, capture_output=True, text=True, timeout=120)
        finally:
            server.handler.release.set()
        out, err = one.communicate(timeout=120)
        assert one.returncode == 0, out + err
        assert two.returncode == 2 and two.stderr.startswith("Error: another sync of returns.xlsx is running")
        three = subprocess.run(command, cwd=second, env=env, capture_output=True, text=True, timeout=120)
        assert three.returncode == 0, three.stdout + three.stderr
    assert recipients(server) == EXAMPLE_RECIPIENTS
    assert len(email_log(workbook)) == len(EXAMPLE_DUE)


@pytest.mark.slow
def test_state_left_in_the_working_folder_by_an_earlier_version_is_moved_and_nothing_is_resent(tmp_path,
                                                                                               monkeypatch):
    workbook = example_copy(tmp_path)
    legacy = tmp_path / ".sheetreturns"
    # What an earlier version did without a config file: state in .sheetreturns in the working folder.
    api.sync(workbook, as_of=AS_OF, config=Config(state_dir=legacy), outbox=tmp_path / "outbox")
    assert (legacy / f"{source_slug(str(workbook))}.emails.sqlite").exists()
    shutil.rmtree(user_state_dir())  # an earlier version kept nothing in the user's state folder
    for written in (tmp_path / "outbox").iterdir():
        written.unlink()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["sync", "returns.xlsx", "--as-of", AS_OF.isoformat(), "--outbox", "outbox"])
    assert result.exit_code == 0, result.output
    assert list((tmp_path / "outbox").iterdir()) == []  # nothing sent again
    moved = journal_path(user_state_dir(), str(workbook))
    assert moved.exists() and not any(legacy.glob("*.sqlite"))
    with Journal(moved, readonly=True) as journal:
        assert len(journal.events()) == len(EXAMPLE_DUE)
    assert len(email_log(workbook)) == len(EXAMPLE_DUE)
    assert str(moved) in (legacy / "MOVED.txt").read_text()


def test_a_symlink_and_its_target_share_one_state(tmp_path):
    workbook = example_copy(tmp_path)
    link = tmp_path / "link.xlsx"
    link.symlink_to(workbook)
    assert source_slug(str(link)) == source_slug(str(workbook))
    os.chdir(tmp_path)
    assert source_slug("returns.xlsx") == source_slug(str(workbook))


@pytest.mark.slow
def test_finding_2_backups_of_one_workbook_are_never_pruned_by_another(tmp_path):
    state = tmp_path / "state"
    plain, dotted = example_copy(tmp_path), tmp_path / "returns.v2.xlsx"
    dotted.write_bytes(plain.read_bytes())
    config = Config(state_dir=state, backups=2, backup_days=0)  # the newest two only, no first-of-the-day copy
    assert api.sync(plain, as_of=AS_OF, config=config, outbox=tmp_path / "outbox").written
    for _ in range(3):
        assert api.sync(dotted, as_of=AS_OF, config=config, outbox=tmp_path / "outbox2").written
        overwrite_a_status(dotted)
    assert len(list(backup_folder(state, str(plain)).iterdir())) == 1
    assert len(list(backup_folder(state, str(dotted)).iterdir())) == 2
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    same_name = example_copy(elsewhere)
    for _ in range(3):
        assert api.sync(same_name, as_of=AS_OF, config=config, outbox=tmp_path / "outbox3").written
        overwrite_a_status(same_name)
    assert len(list(backup_folder(state, str(plain)).iterdir())) == 1


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.network
@pytest.mark.slow
@pytest.mark.posix  # POSIX file modes; Windows keeps files private by the user folder's ACL
def test_finding_11_state_files_are_private_from_creation(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    old = os.umask(0o022)
    try:
        workbook = example_copy(tmp_path)
        state = tmp_path / "state"
        with MailServer() as server:
            config = Config(path=tmp_path / "sheetreturns.toml", state_dir=state,
                            smtp={"host": "127.0.0.1", "port": server.port, "security": "none", "from": SHOP})
            api.sync(workbook, as_of=AS_OF, config=config)
        (tmp_path / "second").mkdir()
        api.sync(example_copy(tmp_path / "second"), as_of=AS_OF, config=Config(state_dir=state),
                 outbox=tmp_path / "outbox")
        from sheetreturns import run_log
        run_log.write(config, "sync", str(workbook), "ok", "fine")
        files = [p for p in state.rglob("*") if p.is_file()]
        assert any(p.name.endswith(".emails.sqlite") for p in files) and any(p.suffix == ".xlsx" for p in files)
        assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
        folders = [state, *[p for p in state.rglob("*") if p.is_dir()]]
        assert {str(p): mode(p) for p in folders} == {str(p): 0o700 for p in folders}
        emls = list((tmp_path / "outbox").iterdir())
        assert emls and {mode(p) for p in emls} == {0o600} and mode(tmp_path / "outbox") == 0o700
        seen = []

        def write(handle):
            seen.append(stat.S_IMODE(os.fstat(handle.fileno()).st_mode))
            handle.write(workbook.read_bytes())

        atomic_replace(workbook, write, fingerprint=Fingerprint.of(workbook), backups=0, backup_dir=state)
        assert seen == [0o600]
    finally:
        os.umask(old)


@pytest.mark.slow
def test_the_run_lock_works_and_the_command_line_imports_without_fcntl(tmp_path):
    script = (
        "import sys; sys.modules['fcntl'] = None\n"  # as on Windows: importing fcntl fails
        "import sheetreturns.cli\n"
        "from sheetreturns.errors import SheetReturnsError\n"
        "from sheetreturns.state import run_lock\n"
        f"with run_lock({str(tmp_path)!r}, {str(tmp_path / 'r.xlsx')!r}):\n"
        "    try:\n"
        f"        with run_lock({str(tmp_path)!r}, {str(tmp_path / 'r.xlsx')!r}):\n"
        "            print('not excluded')\n"
        "    except SheetReturnsError as exc:\n"
        "        print(exc)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", script], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("another sync of r.xlsx is running")


def test_the_run_lock_excludes_a_second_run_and_dies_with_its_process(tmp_path, monkeypatch):
    # flock, taken directly: a second run (here another process) is refused while the first holds it, and a
    # run killed while holding it leaves nothing to delete. filelock is not imported for it.
    from sheetreturns.errors import SheetReturnsError
    from sheetreturns.state import run_lock

    monkeypatch.setenv("SHEETRETURNS_STATE_DIR", str(tmp_path / "user-state"))
    sheet = str(tmp_path / "r.xlsx")
    holder = (
        "import os, signal, sys\n"
        "from sheetreturns.state import run_lock\n"
        f"with run_lock({str(tmp_path)!r}, {sheet!r}):\n"
        "    print('filelock' in sys.modules, flush=True)\n"
        "    sys.stdin.readline()\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SHEETRETURNS_STATE_DIR": str(tmp_path / "user-state")}
    run = subprocess.Popen([sys.executable, "-c", holder], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           text=True)
    try:
        # holding the lock, without filelock (where there is no fcntl, as on Windows, it is filelock's lock)
        assert run.stdout.readline().strip() == str(not _has_fcntl())
        with pytest.raises(SheetReturnsError, match="another sync of r.xlsx is running"):
            with run_lock(tmp_path, sheet):
                pass
        run.stdin.write("\n")
        run.stdin.flush()
        assert run.wait(30) == -9  # killed while holding it
    finally:
        run.kill()
    with run_lock(tmp_path, sheet):
        pass  # the OS released it with the process


@pytest.mark.parametrize("code", ["ENOSYS", "ENOLCK", "EOPNOTSUPP"])
def test_a_folder_without_flock_gets_a_lock_file(tmp_path, monkeypatch, code):
    # A file system that has no flock (some network shares) answers ENOSYS, ENOLCK or EOPNOTSUPP: the lock is
    # then a lock file (filelock's SoftFileLock), which a second run finds, and whose error says to delete it if
    # no run holds it.
    # (Where there is no fcntl at all, as in the suite's run as on Windows, the lock file is filelock's own
    # choice there: the same refusal and hint.)
    import errno

    from sheetreturns.errors import SheetReturnsError
    from sheetreturns.state import run_lock

    def no_flock(fd, operation):
        raise OSError(getattr(errno, code), "no flock here")

    monkeypatch.setenv("SHEETRETURNS_STATE_DIR", str(tmp_path / "user-state"))
    sheet = str(tmp_path / "r.xlsx")
    calls = []
    if _has_fcntl():
        import fcntl

        monkeypatch.setattr(fcntl, "flock", lambda fd, op: calls.append(op) or no_flock(fd, op))
    with run_lock(tmp_path, sheet):
        assert bool(calls) == _has_fcntl()  # flock was tried where there is one
        with pytest.raises(SheetReturnsError, match="another sync of r.xlsx is running.*if none is, delete"):
            with run_lock(tmp_path, sheet):
                pass
    monkeypatch.undo()
    with run_lock(tmp_path, sheet):
        pass


def _has_fcntl() -> bool:
    try:
        import fcntl  # noqa: F401
    except ModuleNotFoundError:
        return False
    return True
