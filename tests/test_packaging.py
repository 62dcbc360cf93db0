"""The package as a user gets it: licence, typing marker, bounded dependencies, a tested constraints
file, and an sdist that holds no tests it cannot run."""
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def requirements(group: str | None = None) -> list[Requirement]:
    lines = PROJECT["dependencies"] if group is None else PROJECT["optional-dependencies"][group]
    return [Requirement(line) for line in lines]


def pins() -> dict[str, str]:
    found = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            found[name.lower().replace("_", "-").replace(".", "-")] = version
    return found


def normal(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def test_the_licence_is_an_spdx_expression_with_its_file():
    assert PROJECT["license"] == "MIT"
    assert PROJECT["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_the_package_is_marked_typed_and_ships_the_marker():
    assert (ROOT / "sheetreturns" / "py.typed").exists()
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "py.typed" in package_data["package-data"]["sheetreturns"]


def test_libraries_whose_internals_we_use_have_an_upper_bound():
    bounded = {normal(r.name): r for r in requirements()}
    for name in ("gspread", "yagmail", "python-calamine", "openpyxl"):
        assert any(spec.operator == "<" for spec in bounded[name].specifier), f"{name} has no upper bound"


def test_constraints_pin_every_dependency_inside_its_range():
    pinned = pins()
    for requirement in requirements() + requirements("test"):
        name = normal(requirement.name)
        assert name in pinned, f"constraints.txt has no pin for {requirement.name}: add the version the tests ran with"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"constraints.txt pins {name}=={pinned[name]}, outside {requirement}")


def test_ci_installs_with_the_constraints_file():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "-c constraints.txt" in ci
    workflow = (ROOT / ".github" / "workflows" / "tests.yml").read_text(encoding="utf-8")
    assert "-c constraints.txt" in workflow


def test_the_changelog_starts_with_what_exists(tmp_path):
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog")
    assert f"## {PROJECT['version']} - " in text


@pytest.mark.slow
def test_the_sdist_ships_no_tests_and_everything_a_user_reads(tmp_path):
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--outdir", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    [sdist] = tmp_path.glob("sheetreturns-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = [name.split("/", 1)[1] for name in archive.getnames() if "/" in name]
    assert not [n for n in names if n.startswith("tests/") or "/test_" in n]
    for needed in ("LICENSE", "README.md", "CHANGELOG.md", "constraints.txt", "examples/returns.xlsx",
                   "sheetreturns/py.typed", "sheetreturns/email_templates/reminder.txt", "sheetreturns/cli/__init__.py"):
        assert needed in names, needed
