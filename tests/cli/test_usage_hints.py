"""A mistyped or misplaced option is answered with the command's own options (#13 audit): the
"did you mean" never repeats the option the user typed (``cxkit seal --new-password-env`` was
answered "did you mean '--new-password-env'"), and says when the option is another command's."""

from __future__ import annotations

import pytest

from cxkit.cli.main import main


def _usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    return capsys.readouterr().err.splitlines()[-1]


def test_another_commands_option_is_not_its_own_correction(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = _usage_error(["seal", "x.json", "-o", "x.cxp", "--new-password-env", "V"], capsys)
    assert "did you mean '--new-password-env'" not in line
    assert "'cxkit seal' takes no --new-password-env" in line
    # seal's word for the secret it writes is --passphrase-*, proposed first
    assert "did you mean '--passphrase-env'" in line


def test_a_typo_gets_the_commands_options(capsys: pytest.CaptureFixture[str]) -> None:
    line = _usage_error(["convert", "a", "-o", "b", "--new-pasword-env", "V"], capsys)
    assert "did you mean '--new-password-env'" in line and "takes no" not in line
    line = _usage_error(["passkeys", "list", "--jsn", "f"], capsys)
    assert line.endswith("(did you mean '--json'?)")


def test_an_option_no_command_knows_gets_no_hint(capsys: pytest.CaptureFixture[str]) -> None:
    line = _usage_error(["seal", "x.json", "-o", "x.cxp", "--zzzzzz"], capsys)
    assert line.endswith("unrecognized arguments: --zzzzzz")
