"""Which sheetreturns.toml is used: --config, else the current folder, else the user's config folder."""
import pytest

from sheetreturns.settings.config_file import find_config, load_config
from sheetreturns.errors import ConfigError


@pytest.fixture
def places(tmp_path, monkeypatch):
    """A current folder and a user config folder (XDG_CONFIG_HOME), both empty to start with."""
    here = tmp_path / "shop"
    user = tmp_path / "xdg" / "sheetreturns"
    here.mkdir()
    user.mkdir(parents=True)
    monkeypatch.chdir(here)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return here, user


def write(folder, source):
    path = folder / "sheetreturns.toml"
    path.write_text(f'source = "{source}"\n')
    return path


def test_no_config_anywhere_means_defaults(places):
    assert find_config(None) is None
    config = load_config(None)
    assert config.path is None and config.source is None


def test_user_config_folder_is_used_when_the_current_folder_has_none(places):
    here, user = places
    path = write(user, "from-user.xlsx")
    assert find_config(None) == path
    assert load_config(None).source == str(user / "from-user.xlsx")  # relative to the config file's folder


def test_current_folder_wins_over_the_user_config_folder(places):
    here, user = places
    write(user, "from-user.xlsx")
    path = write(here, "from-here.xlsx")
    assert find_config(None) == path
    assert load_config(None).source == str(here / "from-here.xlsx")


def test_explicit_config_wins_over_both(places, tmp_path):
    here, user = places
    write(user, "from-user.xlsx")
    write(here, "from-here.xlsx")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    path = write(elsewhere, "from-flag.xlsx")
    assert find_config(str(path)) == path
    assert load_config(str(path)).source == str(elsewhere / "from-flag.xlsx")


def test_explicit_config_that_does_not_exist_is_an_error_not_a_fallback(places):
    here, _ = places
    write(here, "from-here.xlsx")
    with pytest.raises(ConfigError, match="config file missing.toml not found: check the --config path"):
        find_config("missing.toml")


def test_state_folder_defaults_to_beside_the_config_file(places):
    _, user = places
    write(user, "x.xlsx")
    assert load_config(None).state_dir == user / ".sheetreturns"
