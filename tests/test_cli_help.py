"""Every command and every option of the CLI explains itself in --help."""
import click
import pytest
from click.testing import CliRunner

from sheetreturns.cli import main


def walk(command: click.Command, path: tuple[str, ...] = ()):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from walk(sub, (*path, name))


COMMANDS = list(walk(main))
IDS = [" ".join(path) or "sheetreturns" for path, _ in COMMANDS]


def test_the_walk_finds_the_commands_a_seller_uses():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"check", "sync", "init", "config check", "schedule"} <= names


@pytest.mark.parametrize("path, command", COMMANDS, ids=IDS)
def test_command_has_help_text(path, command):
    assert (command.help or "").strip(), f"{' '.join(path)} has no docstring / help"
    first = command.get_short_help_str(limit=200)
    assert len(first) > 10 and not first.endswith("...")


@pytest.mark.parametrize("path, command", COMMANDS, ids=IDS)
def test_every_option_has_help_text(path, command):
    ctx = click.Context(command, info_name=" ".join(path) or "sheetreturns")
    for param in command.get_params(ctx):
        if isinstance(param, click.Option):
            assert (param.help or "").strip(), f"{' '.join(path)} {param.opts[0]} has no help text"


@pytest.mark.parametrize("path, command", COMMANDS, ids=IDS)
def test_every_argument_is_named_in_its_commands_help(path, command):
    for param in command.params:
        if isinstance(param, click.Argument):
            assert param.human_readable_name in command.help, f"{' '.join(path)}: say what {param.human_readable_name} is"


@pytest.mark.parametrize("path, command", COMMANDS, ids=IDS)
def test_help_runs_and_exits_0(path, command):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage:")
