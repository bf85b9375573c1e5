"""README's commands are the ones CI runs: a new user and CI must not drift apart."""

import re

from tests.helpers import ROOT


def bash_blocks(markdown: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", markdown, flags=re.DOTALL)]


def ci_test_command() -> str:
    match = re.search(r"^TEST_COMMAND='(.*)'$", (ROOT / ".ci" / "run").read_text(), flags=re.MULTILINE)
    assert match, ".ci/run must define TEST_COMMAND='...'"
    return match.group(1)


def test_ci_runs_exactly_readmes_test_command():
    readme_commands = [line for block in bash_blocks((ROOT / "README.md").read_text()) for line in block.splitlines()]
    assert ci_test_command() in readme_commands


def test_ci_installs_into_a_fresh_virtual_environment():
    script = (ROOT / ".ci" / "run").read_text()
    assert "-m venv" in script and "/bin/activate" in script
    assert script.index("/bin/activate") < script.index('bash -c "$TEST_COMMAND"')
