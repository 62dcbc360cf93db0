"""The hosting examples in examples/hosting/ run the job the way the README says, and are well-formed."""
import configparser
import re
from pathlib import Path

from sheetreturns.cli import main

HOSTING = Path(__file__).resolve().parents[1] / "examples" / "hosting"


def command_words(line: str) -> list[str]:
    """(command, options) of each sheetreturns command line in `line` (prose mentioning the name is skipped)."""
    return re.findall(r"(?:/|run: )sheetreturns (\w+)((?: --?[\w-]+)*)", line)


def test_the_cron_line_has_five_time_fields_and_runs_sync_quietly():
    lines = [l for l in (HOSTING / "crontab.txt").read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert len(lines) == 1
    fields = lines[0].split(None, 5)
    assert len(fields) == 6
    assert all(re.fullmatch(r"[\d*/,-]+", f) for f in fields[:5])
    assert "%" not in fields[5]  # cron turns % into a newline
    assert command_words(fields[5]) == [("sync", " --quiet")]


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read_string((HOSTING / name).read_text())
    return parser


def test_the_systemd_service_runs_sync_once_and_the_timer_starts_it():
    service, timer = unit("sheetreturns.service"), unit("sheetreturns.timer")
    assert service["Service"]["Type"] == "oneshot"
    assert command_words(service["Service"]["ExecStart"]) == [("sync", " --quiet")]
    assert timer["Timer"]["OnCalendar"] == "*:0/15"
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_the_github_workflow_keeps_the_state_folder_even_after_a_failed_run():
    text = (HOSTING / "github-actions-sheetreturns.yml").read_text()
    assert 'cron: "*/15 * * * *"' in text
    assert "uses: actions/cache/restore@v4" in text
    save = text[text.index("uses: actions/cache/save@v4") - 200:]
    assert "if: always()" in save and "path: .sheetreturns" in save
    assert "run: sheetreturns sync" in text and "run: sheetreturns config check" in text
    # Passwords come from the repository's secrets, never written in the file.
    settings = re.findall(r"^\s*(SHEETRETURNS_SMTP_PASSWORD|GOOGLE_SERVICE_ACCOUNT): (.*)$", text, re.M)
    assert settings and all(value.startswith("${{ secrets.") for _, value in settings)


def test_every_command_the_examples_use_exists():
    for path in HOSTING.iterdir():
        for name, _ in command_words(path.read_text()):
            assert name in main.commands, f"{path.name} runs sheetreturns {name}"
