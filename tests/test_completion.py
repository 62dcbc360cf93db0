"""Tab completion as the README sets it up: click's bash, zsh and fish scripts, and the bash protocol the
PowerShell snippet uses."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN = "from sheetreturns.cli import main; main(prog_name='sheetreturns')"


def complete(mode: str, **env: str) -> str:
    done = subprocess.run([sys.executable, "-c", RUN], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "_SHEETRETURNS_COMPLETE": mode, **env})
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
def test_the_readme_lines_name_modes_click_answers_with_a_script():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    modes = re.findall(r"_SHEETRETURNS_COMPLETE=(\w+) sheetreturns", readme)
    assert modes == ["bash_source", "zsh_source", "fish_source"]
    assert "complete -o nosort -F _sheetreturns_completion sheetreturns" in complete("bash_source")
    assert "compdef _sheetreturns_completion sheetreturns" in complete("zsh_source")
    assert "complete --no-files --command sheetreturns" in complete("fish_source")


def bash_answers(*words: str) -> list[str]:
    """What the PowerShell snippet asks: COMP_WORDS up to the cursor ('' for a new word), COMP_CWORD its index."""
    line = " ".join(w if w else "''" for w in words)
    out = complete("bash_complete", COMP_WORDS=line, COMP_CWORD=str(len(words) - 1))
    return [value for kind, value in (l.split(",", 1) for l in out.splitlines()) if kind == "plain"]


@pytest.mark.slow
def test_commands_subcommands_and_options_complete():
    assert bash_answers("sheetreturns", "pass") == ["password"]
    assert set(bash_answers("sheetreturns", "password", "")) == {"set", "check"}
    assert bash_answers("sheetreturns", "password", "set", "") == ["smtp", "imap"]
    assert "--outbox" in bash_answers("sheetreturns", "sync", "--out")
    assert "--quiet" in bash_answers("sheetreturns", "sync", "--q")


def test_the_powershell_snippet_uses_that_protocol():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    snippet = readme[readme.index("```powershell"):]
    snippet = snippet[:snippet.index("```", 5)]
    assert "Register-ArgumentCompleter -Native -CommandName sheetreturns" in snippet
    assert "$env:_SHEETRETURNS_COMPLETE = 'bash_complete'" in snippet
    assert "$env:COMP_WORDS" in snippet and "$env:COMP_CWORD = $words.Count - 1" in snippet
    assert "if ($type -eq 'plain')" in snippet
