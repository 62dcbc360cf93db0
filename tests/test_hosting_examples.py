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


def schtasks_line() -> str:
    lines = [l for l in (HOSTING / "windows-task-scheduler.txt").read_text().splitlines()
             if l.strip() and not l.upper().startswith("REM")]
    assert len(lines) == 1
    return lines[0]


def test_the_schtasks_line_runs_sync_quietly_every_15_minutes_with_the_settings_file():
    line = schtasks_line()
    assert line.startswith('schtasks /Create /TN "sheetreturns sync" /SC MINUTE /MO 15 /TR "') and line.endswith('" /F')
    # /TR is one quoted argument; quotes inside it are written \" (as schtasks reads them)
    task = line[line.index('/TR "') + 5:-4].replace('\\"', '"')
    assert len(task) <= 261  # schtasks' limit for /TR
    words = re.findall(r'"([^"]*)"|(\S+)', task)
    words = [a or b for a, b in words]
    assert words[0].endswith(r"\.local\bin\sheetreturns.exe")
    assert words[1:] == ["sync", "--config", r"%USERPROFILE%\Documents\returns\sheetreturns.toml", "--quiet"]
    options = {o for p in main.commands["sync"].params for o in p.opts}
    assert {"--config", "--quiet"} <= options


def test_the_task_xml_is_a_task_scheduler_task_running_sync_every_15_minutes_one_at_a_time():
    import xml.etree.ElementTree as ET

    raw = (HOSTING / "sheetreturns-task.xml").read_bytes()
    assert raw.isascii()  # imports the same whether read as UTF-8 or as the file's declared encoding
    ns = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
    task = ET.fromstring(raw)
    assert task.tag == "{%s}Task" % ns["t"]
    trigger = task.find("t:Triggers/t:CalendarTrigger", ns)
    assert trigger.findtext("t:Repetition/t:Interval", namespaces=ns) == "PT15M"
    assert trigger.findtext("t:Repetition/t:Duration", namespaces=ns) == "PT15H"
    days = [d.tag.split("}")[1] for d in trigger.find("t:ScheduleByWeek/t:DaysOfWeek", ns)]
    assert days == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    assert task.findtext("t:Settings/t:MultipleInstancesPolicy", namespaces=ns) == "IgnoreNew"
    assert task.findtext("t:Principals/t:Principal/t:LogonType", namespaces=ns) == "InteractiveToken"
    run = task.find("t:Actions/t:Exec", ns)
    assert run.findtext("t:Command", namespaces=ns).endswith(r"\sheetreturns.exe")
    assert run.findtext("t:Arguments", namespaces=ns) == "sync --quiet"
    assert run.findtext("t:WorkingDirectory", namespaces=ns)
    assert task.find("t:Actions", ns).get("Context") == task.find("t:Principals/t:Principal", ns).get("id")
