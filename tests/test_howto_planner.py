"""The planner's how-to names only commands, flags and presets that exist.

A planner copies these lines as they are; a renamed flag or a deleted plan would leave
the guide telling them to run something that fails. Checked statically (no simulation):
the program is an installed command, every ``--flag`` is one its parser declares, and
every preset or plan the line selects is a file under ``configs/`` or the study folder.
"""

import shlex
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "howto" / "planner.md"
# Config groups a command line may select with ``group=name`` (or a comma list).
GROUPS = ("county", "policy", "workload", "plan")


def _scripts() -> dict[str, str]:
    """Console script name → its module file, from pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {
        name: target.split(":")[0].replace(".", "/") + ".py"
        for name, target in project["scripts"].items()
    }


def _commands() -> list[list[str]]:
    """The guide's command lines: indented code lines that start with a ``tsim`` program."""
    lines = GUIDE.read_text().splitlines()
    found = []
    for i, line in enumerate(lines):
        if not (line.startswith("    tsim") and (i == 0 or not lines[i - 1].startswith("```"))):
            continue
        words = shlex.split(line.strip())
        if words[0].startswith("tsim"):
            found.append(words)
    return found


COMMANDS = _commands()


def test_the_guide_shows_a_command_for_each_question() -> None:
    """Size, plan, clear a backlog, cost a lever and select: each has its command."""
    programs = {words[0] for words in COMMANDS}
    assert {"tsim", "tsim-size", "tsim-plan", "tsim-report", "tsim-select"} <= programs


@pytest.mark.parametrize("words", COMMANDS, ids=[" ".join(w)[:60] for w in COMMANDS])
def test_each_command_line_is_valid(words: list[str]) -> None:
    """The program exists, its flags are declared and its presets are files."""
    scripts = _scripts()
    assert words[0] in scripts, f"{words[0]} is not an installed command"
    source = (ROOT / scripts[words[0]]).read_text()
    for word in words[1:]:
        if word.startswith("--"):
            assert f'"{word}"' in source, f"{words[0]} declares no {word}"
    for i, word in enumerate(words[1:], start=1):
        key, _, value = word.partition("=")
        if key in GROUPS and value:
            for name in value.split(","):
                assert (ROOT / "configs" / key / f"{name}.yaml").is_file(), word
        if word == "-cd":
            study = ROOT / words[i + 1]
            assert (study / f"{words[words.index('-cn') + 1]}.yaml").is_file(), study
