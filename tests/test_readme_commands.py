"""The README's two set-up commands are the ones CI runs (.ci/run), word for word."""
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    """The commands of the README's first two ```bash blocks: install + try it, install + test."""
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    return [block.strip() for block in blocks[:2]]


def ci_lines() -> list[str]:
    return [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]


def test_the_readme_starts_with_two_one_line_set_up_commands():
    commands = readme_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_try_it_command_as_written():
    first = readme_commands()[0]
    assert any(first in line for line in ci_lines() if not line.startswith("#")), (
        f"README command 1 changed: update .ci/run to run {first!r}")


def test_ci_runs_the_readme_test_command_as_written():
    second = readme_commands()[1]
    assert second in ci_lines(), f"README command 2 changed: update .ci/run to run {second!r}"


def test_ci_installs_libreoffice_only_when_missing_and_is_valid_bash():
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "command -v soffice" in text and "apt-get install -y" in text and "libreoffice-calc-nogui" in text
    subprocess.run(["bash", "-n", str(ROOT / ".ci" / "run")], check=True)
