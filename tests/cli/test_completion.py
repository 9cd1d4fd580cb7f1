"""Shell completion (issue #18): the scripts in completions/ are the generator's current output,
and the bash one completes commands, sub-commands, options and format keys."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cxkit.cli import _completion

FOLDER = Path(__file__).resolve().parents[2] / "completions"


@pytest.mark.parametrize("shell", sorted(_completion.SHELLS))
def test_scripts_are_current(shell: str) -> None:
    path = FOLDER / _completion.SHELLS[shell]
    assert path.read_text("utf-8") == _completion.generate(shell), (
        f"{path} is stale: run 'uv run python -m cxkit.cli._completion'"
    )


def _complete(*words: str) -> list[str]:
    script = FOLDER / "cxkit.bash"
    line = " ".join(f"'{w}'" for w in ("cxkit", *words))
    code = (
        f"source '{script}'; COMP_WORDS=({line}); COMP_CWORD={len(words)}; _cxkit; "
        'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ,
    )
    return [w for w in done.stdout.split("\n") if w]


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_bash_completes() -> None:
    assert _complete("conv") == ["convert"]
    assert "--force" in _complete("convert", "x.json", "--fo")
    assert _complete("passkeys", "ver") == ["verify"]
    assert "--password-file" in _complete("passkeys", "verify", "--pass")
    assert _complete("convert", "--kdf", "arg") == ["argon2id"]


@pytest.mark.skipif(shutil.which("cxkit") is None, reason="cxkit is not on PATH")
def test_bash_completes_format_keys() -> None:
    keys = _complete("convert", "x", "--from", "bitwarden-")
    assert "bitwarden-json" in keys and all(k.startswith("bitwarden-") for k in keys)


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_other_shells_parse(shell: str) -> None:
    exe = shutil.which(shell)
    if exe is None:
        pytest.skip(f"{shell} is not installed")
    subprocess.run([exe, "-n", str(FOLDER / _completion.SHELLS[shell])], check=True)
