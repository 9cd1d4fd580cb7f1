"""Start-up (issue #18): ``cxkit --help`` and ``cxkit formats`` import no heavy module; the
summaries of ``cxkit --help`` are the commands' own; the format list's cache is current.

Speed itself is measured in ``benchmarks/suite_startup.py``; here only *what* is imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cxkit.cli import _catalog
from cxkit.cli.main import COMMANDS, build_parser, main

HEAVY = (
    "cryptography",
    "fido2",
    "asyncio",
    "segno",
    "msgspec",
    "PIL",
    "zxingcpp",
    "nacl",
    "yaml",
    "argon2",
    "cxkit.cxf",
    "cxkit.adapters",
    "cxkit.transfer",
    "cxkit.passkey",
    "cxkit.crypto",
    "cxkit.kdbx",
)

_PROBE = """
import json, sys
from cxkit.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
sys.stdout.flush()
print("\\n" + json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _modules_after(args: list[str], cache: Path) -> set[str]:
    env = dict(os.environ, CXKIT_CACHE_DIR=str(cache))
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], env=env, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_help_imports_no_heavy_module(tmp_path: Path) -> None:
    assert _heavy(_modules_after(["--help"], tmp_path)) == []


def test_version_and_a_wrong_command_import_no_heavy_module(tmp_path: Path) -> None:
    assert _heavy(_modules_after(["--version"], tmp_path)) == []
    assert _heavy(_modules_after(["conver", "x"], tmp_path)) == []


def test_formats_with_a_warm_cache_imports_no_heavy_module(tmp_path: Path) -> None:
    first = _modules_after(["formats"], tmp_path)
    assert "cxkit.adapters.registry" in first  # the cold run computes the list
    assert _heavy(_modules_after(["formats"], tmp_path)) == []
    assert _heavy(_modules_after(["formats", "--json"], tmp_path)) == []


def test_importing_the_cli_imports_no_heavy_module() -> None:
    code = (
        "import sys, cxkit.cli.main, cxkit.cli._console, cxkit.cli._catalog; "
        "print(' '.join(sorted(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert _heavy(set(done.stdout.split())) == []


def test_help_summaries_are_the_commands_own() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    real = {a.dest: a.help for a in sub._choices_actions}
    for name, (_, summary) in COMMANDS.items():
        if name in real:
            assert real[name] == summary, name
    # and every command a module registers is listed in COMMANDS
    assert set(real) <= set(COMMANDS)


def test_every_command_parses_alone_as_in_the_full_parser() -> None:
    full = build_parser()
    sub = next(a for a in full._actions if a.dest == "command")
    for name, parser in sub.choices.items():
        alone = build_parser(name)
        alone_sub = next(a for a in alone._actions if a.dest == "command")
        assert alone_sub.choices[name].format_help() == parser.format_help()


def test_top_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for name in build_parser()._subparsers._group_actions[0].choices:  # type: ignore[union-attr]
        assert f"    {name} " in text


def test_catalog_cache_is_refreshed_when_cxkit_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CXKIT_CACHE_DIR", str(tmp_path))
    fresh = _catalog.catalog(use_cache=False)
    assert _catalog.catalog() == fresh
    path = _catalog.cache_file()
    stored = json.loads(path.read_text())
    # a stale fingerprint (cxkit upgraded, a plug-in installed) is recomputed, not trusted
    stored["catalog"]["formats"] = []
    stored["fingerprint"] = "stale"
    path.write_text(json.dumps(stored))
    assert _catalog.catalog() == fresh
    # a damaged cache is recomputed too
    path.write_text("{not json")
    assert _catalog.catalog() == fresh
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)


def test_catalog_matches_the_registry() -> None:
    from cxkit import adapters

    keys = [f["key"] for f in _catalog.catalog(use_cache=False)["formats"]]
    assert keys == list(adapters.adapters())


def test_an_unwritable_cache_is_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("CXKIT_CACHE_DIR", str(blocker / "sub"))
    assert _catalog.catalog()["formats"]


def test_command_help_is_cached_and_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CXKIT_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "80")
    for argv in (["convert", "--help"], ["passkeys", "verify", "-h"]):
        texts = []
        for _ in range(2):  # computed, then from the cache
            with pytest.raises(SystemExit) as exc:
                main(argv)
            assert exc.value.code == 0
            texts.append(capsys.readouterr().out)
        assert texts[0] == texts[1] and "examples:" in texts[0]
    assert "convert@80" in json.loads(_catalog.cache_file().read_text())["help"]
    # a wrong sub-command is an error, never cached
    with pytest.raises(SystemExit) as exc:
        main(["totp", "nope", "--help"])
    assert exc.value.code == 2


def test_cached_command_help_imports_no_heavy_module(tmp_path: Path) -> None:
    _modules_after(["convert", "--help"], tmp_path)
    assert _heavy(_modules_after(["convert", "--help"], tmp_path)) == []
    _modules_after(["receive", "--help"], tmp_path)
    assert _heavy(_modules_after(["receive", "--help"], tmp_path)) == []


# --------------------------------------------------------------------------- per command
# Each command imports what it uses (issue #18): a command is its own module, or imports the
# layers it needs inside its handler. The costs are measured in benchmarks/suite_startup.py.

#: Modules only some commands need: the live-transfer listener (asyncio), QR codes, images,
#: the adapters and the key stores below them.
NOT_FOR = {
    "cxf": (
        "cxkit.adapters",
        "cxkit.kdbx",
        "fido2",
        "cxkit.passkey",
        "cxkit.transfer",
        "asyncio",
        "segno",
        "PIL",
        "zxingcpp",
        "cxkit.cxp",
        "cxkit.cli.commands.convert",
        "cxkit.cli._progress",
    ),
    "detect": (
        "cxkit.transfer",
        "asyncio",
        "segno",
        "PIL",
        "zxingcpp",
        "cxkit.cli.commands.convert",
        "cxkit.cli._progress",
        "cxkit.cli._secrets",
        "cxkit.compare",
    ),
    "convert": (
        "cxkit.transfer",
        "asyncio",
        "segno",
        "PIL",
        "zxingcpp",
        "cxkit.compare",
        "cxkit.ui",
    ),
}


def _imported(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("startup") / "samples"
    assert main(["demo", "--out", str(folder), "-q"]) == 0
    return {
        "cxf": str(folder / "sample-vault.cxf.json"),
        "bw": str(folder / "sample-bitwarden.json"),
        "out": str(folder.parent),
    }


def test_inspect_and_validate_of_a_cxf_file_import_no_adapter(
    tmp_path: Path, sample_files: dict[str, str]
) -> None:
    for command in ("inspect", "validate"):
        modules = _modules_after([command, sample_files["cxf"]], tmp_path)
        assert "cxkit.cxf" in modules  # it did run
        assert _imported(modules, NOT_FOR["cxf"]) == [], command


def test_detect_imports_only_the_registry(tmp_path: Path, sample_files: dict[str, str]) -> None:
    modules = _modules_after(["detect", sample_files["bw"]], tmp_path)
    assert "cxkit.adapters.registry" in modules and "cxkit.cli.commands.detect" in modules
    assert _imported(modules, NOT_FOR["detect"]) == []
    # only the readers whose evidence the file shows (Bitwarden's and Enpass's "items")
    assert _imported(modules, ("cxkit.adapters.otp", "cxkit.adapters.keepass",
                               "cxkit.adapters.longtail", "cxkit.adapters.onepassword")) == []  # fmt: skip


def test_detect_of_a_csv_imports_no_reader_and_no_cxf_layer(tmp_path: Path) -> None:
    """The verdict comes from the registry's static table (issue #18): a Chrome CSV shows no
    reader's custom evidence, so no adapter module, the CXF layer or msgspec is imported."""
    csv = tmp_path / "chrome.csv"
    csv.write_bytes(b"name,url,username,password,note\nExample,https://example.com,a,b,\n")
    modules = _modules_after(["detect", str(csv)], tmp_path)
    assert "cxkit.adapters.detection" in modules  # it did run
    heavy = ("msgspec", "cxkit.cxf", "cxkit.kdbx", "cryptography", "fido2", "cxkit.adapters.kit.tabular",
             "cxkit.adapters.chrome", "cxkit.adapters.otp", "cxkit.adapters.longtail")  # fmt: skip
    assert _imported(modules, heavy) == []


def test_convert_imports_no_transfer_nor_qr(tmp_path: Path, sample_files: dict[str, str]) -> None:
    out = sample_files["out"] + "/startup.csv"
    argv = ["convert", sample_files["bw"], "-o", out, "--to", "bitwarden-csv", "--plaintext"]
    modules = _modules_after([*argv, "--force"], tmp_path)
    assert Path(out).exists()
    assert _imported(modules, NOT_FOR["convert"]) == []


def test_the_sender_imports_no_listener() -> None:
    code = (
        "import sys, cxkit.cli.commands.transfer, cxkit.transfer.sender, cxkit.transfer; "
        "from cxkit.transfer import Pairing, send; "
        "print(' '.join(sorted(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = set(done.stdout.split())
    assert _imported(modules, ("asyncio", "cxkit.transfer.receiver", "segno")) == []


def test_the_detect_default_size_is_the_cxf_one() -> None:
    from cxkit import cxf
    from cxkit.cli.commands import detect

    assert detect.DEFAULT_MAX_SIZE == cxf.DEFAULT_MAX_SIZE
