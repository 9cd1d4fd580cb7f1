"""The registry's static table and detection without importing every reader (issue #18).

``cxkit.adapters._builtins`` is generated from the adapter classes: it must be what the classes
say now. Detection answers from it, and imports a reader with its own ``accepts`` only when the
input shows the evidence the reader looks for (``detection.EVIDENCE``): on every input, the
answers must be exactly those of asking every reader — checked on every sample export of
``../shared``, on what every writer writes, on inputs built from each reader's evidence, and on
random ones.
"""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import adapters
from cxkit.adapters import contract, detection, registry
from cxkit.adapters.base import Sample
from cxkit.adapters.detection import EVIDENCE, make_folder_sample, make_sample
from cxkit.errors import CxkitError
from shared_evidence import SHARED

# --------------------------------------------------------------------------- the table


def test_the_table_is_generated_from_the_adapter_classes() -> None:
    path = Path(registry.__file__).with_name("_builtins.py")
    assert path.read_text("utf-8") == registry.table_source(), (
        "the static table differs from the adapters: run "
        "uv run python -c 'from cxkit.adapters import registry; registry.write_table()'"
    )


def test_static_infos_are_the_adapters_own() -> None:
    table = registry.builtins()
    assert [row.path for row in table.values()] == list(registry.BUILTINS)
    for key, row in table.items():
        real = registry.get(key)
        assert row.info == dataclasses.replace(real.info, read_options=(), write_options=())
        assert registry.static_info(key) is row.info
        reads = real.info.can(adapters.Capability.READ) and hasattr(real, "read")
        assert row.reader == reads, key


def test_every_reader_with_its_own_accepts_names_its_evidence() -> None:
    custom = {k for k, row in registry.builtins().items() if row.reader and row.accepts == "custom"}
    assert custom == set(EVIDENCE), "detection.EVIDENCE lists exactly the custom readers"


def test_the_registry_helpers_agree_with_the_loaded_adapters() -> None:
    every = registry.adapters()
    assert registry.cxf_format() == next(
        k for k, a in every.items() if a.info.can(adapters.Capability.CXF)
    )
    for name in ("vault.cxf.json", "x.kdbx", "x.csv", "x.json", "x.cxp", "x.txt", "x.png"):
        registry._cache = None  # the table's answer, then the loaded adapters' one
        lazy = registry.writer_for_name(name)
        registry.adapters()
        assert lazy == registry.writer_for_name(name), name


def test_an_unknown_key_lists_the_known_ones() -> None:
    with pytest.raises(adapters.DetectionError, match="unknown format") as info:
        registry.get("no-such-format")
    assert "chrome-csv" in (info.value.hint or "")


# --------------------------------------------------------------------------- same answers


def _every_reader(sample: Sample) -> tuple[tuple[str, adapters.Confidence], ...]:
    """The answers as before the table: every reader imported and asked."""
    return tuple((a.info.key, detection._ask(a, sample)) for a in registry.readers())


def _same_answers(data: bytes, name: str) -> None:
    lazy = detection.answers(make_sample(data, name))
    full = _every_reader(make_sample(data, name))
    assert lazy == full, [(a, b) for a, b in zip(lazy, full, strict=True) if a != b]


def _shared_exports() -> list[Path]:
    root = SHARED / "exports"
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_same_answers_on_every_shared_export() -> None:
    files = _shared_exports()
    if not files:
        pytest.skip(f"outside evidence not found at {SHARED}")
    for path in files:
        _same_answers(path.read_bytes(), path.name)


def test_same_answers_on_what_every_writer_writes() -> None:
    written = 0
    for adapter in registry.writers():
        try:
            data, _ = contract.write_reference(adapter)
        except CxkitError:
            continue
        ext = adapter.info.extensions[0] if adapter.info.extensions else ""
        for name in (f"out{ext}", "out"):
            _same_answers(data, name)
        written += 1
    assert written >= 15


def _zip(names: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in names:
            z.writestr(n, b"{}" if n.endswith(".json") else b"x")
    return buf.getvalue()


def _evidence_inputs() -> list[tuple[bytes, str]]:
    """Inputs made from every reader's hints and from every piece of evidence it looks for:
    the edges where the table's answer and the reader's could part."""
    out: list[tuple[bytes, str]] = []
    for row in registry.builtins().values():
        info = row.info
        for header in (info.csv_header, *info.csv_headers):
            if header:
                cells = sorted(header)
                for variant in (cells, [c.upper() for c in cells], [*cells, "extra"], cells[1:]):
                    out.append(((",".join(variant) + "\r\na,b\r\n").encode(), "x.csv"))
        if info.json_keys:
            out.append((json.dumps({k: [] for k in sorted(info.json_keys)}).encode(), "x.json"))
        if info.zip_members:
            out.append((_zip(list(info.zip_members)), "x.zip"))
        if info.xml_root:
            out.append((f"<?xml version='1.0'?><{info.xml_root}/>".encode(), "x.xml"))
        for magic in info.magic:
            out.append((magic + b"\x00" * 64, "x.bin"))
        if row.record_keys:
            out.append((json.dumps([dict.fromkeys(sorted(row.record_keys), "v")]).encode(), "x"))
    for key, needs in EVIDENCE.items():
        for test in needs:
            what = test[0]
            if what == "member":
                for value in ([], {}, "s", True, 1):
                    out.append((json.dumps({test[1]: value}).encode(), f"{key}.json"))
            elif what == "entry":
                out.append((json.dumps([{test[1]: "v"}, {"x": 1}]).encode(), f"{key}.json"))
            elif what == "column":
                out.append((f"a,{test[1]},b\r\n1,2,3\r\n".encode(), f"{key}.csv"))
                out.append((f"{test[1].upper()},x\r\n1,2\r\n".encode(), f"{key}.csv"))
            elif what in ("start", "magic"):
                for lead in (b"", b"\xef\xbb\xbf", b"\r\n  \t", b"\x0b"):
                    out.append((lead + test[1] + b" x\nclass: y\n", key))
                    out.append((lead + test[1].upper() + b"\n", key))
            elif what == "in":
                out.append((b"text " + test[1] + b"\n", key))
                out.append((b"{" + test[1] + b"}", key))
            elif what == "xml_root":
                out.append((f"<{test[1]}><string name='tokenOrder'/></{test[1]}>".encode(), key))
            elif what == "suffix":
                out.append((b"\x01\x02" * 40, f"x{test[1]}"))
                out.append((b"QUJD" * 16, f"x{test[1]}"))
            elif what == "zip":
                out.append((_zip(["data.json", "export.data", "Accounts.txt"]), f"{key}.zip"))
            elif what == "entries":
                whole = {name: {} for name in sorted(test[2])}
                for entries in ([whole], [whole, {"x": 1}], [whole] * 5 + ["s"], [], [{"x": 1}]):
                    out.append((json.dumps({test[1]: entries}).encode(), f"{key}.json"))
    return out + _POSITIVE


#: Inputs some reader takes that neither ../shared nor a writer provides
_POSITIVE: list[tuple[bytes, str]] = [
    (b"Folder,Title,Login,Password,Website Address,Notes\r\nf,t,l,p,w,n\r\n", "keeper.csv"),
    (json.dumps({"records": [{"title": "t", "uid": "u"}]}).encode(), "keeper.json"),
    (json.dumps({"items": [{"title": "t", "fields": []}]}).encode(), "enpass.json"),
    (b"-----BEGIN PGP MESSAGE-----\n\nhQEMA\n-----END PGP MESSAGE-----\n", "Proton Pass.pgp"),
]


def _corpus() -> list[tuple[bytes, str]]:
    """Every input the tests below compare the answers on (the writers' outputs aside)."""
    return [(p.read_bytes(), p.name) for p in _shared_exports()] + _evidence_inputs()


def test_same_answers_on_inputs_made_from_the_evidence() -> None:
    inputs = _evidence_inputs()
    assert len(inputs) > 200
    for data, name in inputs:
        _same_answers(data, name)


def test_every_reader_with_evidence_takes_some_input_compared(tmp_path: Path) -> None:
    """So that evidence too narrow for a reader shows as different answers above."""
    if not _shared_exports():
        pytest.skip(f"outside evidence not found at {SHARED}")
    taken = {k for d, n in _corpus() for k, c in _every_reader(make_sample(d, n)) if c}
    for adapter in registry.writers():
        try:
            data, _ = contract.write_reference(adapter)
        except CxkitError:
            continue
        taken |= {k for k, c in _every_reader(make_sample(data, "out")) if c}
    vault = tmp_path / "v.opvault" / "default"
    vault.mkdir(parents=True)
    (vault / "profile.js").write_text("var profile={};")
    taken |= {k for k, c in _every_reader(make_folder_sample(vault.parent)) if c}
    assert {k for k, needs in EVIDENCE.items() if needs} - taken == set()


def test_same_answers_on_folders(tmp_path: Path) -> None:
    store = tmp_path / "store"
    (store / "sub").mkdir(parents=True)
    (store / ".gpg-id").write_text("KEY\n")
    vault = tmp_path / "vault.opvault" / "default"
    vault.mkdir(parents=True)
    (vault / "profile.js").write_text("var profile={};")
    plain = tmp_path / "plain"
    plain.mkdir()
    for folder in (store, store / "sub", tmp_path / "vault.opvault", plain):
        lazy = detection.answers(make_folder_sample(folder))
        assert lazy == _every_reader(make_folder_sample(folder)), folder


_WORDS = sorted(
    {c for row in registry.builtins().values()
     for h in (row.info.csv_header, *row.info.csv_headers) for c in h}
    | {t[1] for needs in EVIDENCE.values() for t in needs if t[0] in ("column", "member", "entry")}
    | {n for needs in EVIDENCE.values() for t in needs if t[0] == "entries" for n in (t[1], *t[2])}
    | {k for row in registry.builtins().values() for k in row.info.json_keys | row.record_keys}
)  # fmt: skip
_STARTS = sorted(
    {t[1] for needs in EVIDENCE.values() for t in needs if t[0] in ("start", "magic", "in")}
)


@settings(max_examples=150, deadline=None)
@given(
    shape=st.sampled_from(["csv", "json", "array", "text"]),
    words=st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8, unique=True),
    lead=st.sampled_from([b"", b"\xef\xbb\xbf", b"  \n"]),
    start=st.one_of(st.none(), st.sampled_from(_STARTS)),
    name=st.sampled_from(["x.csv", "x.json", "x.bin", "x.passkey", "x.json.aes", "x"]),
)
def test_same_answers_on_random_inputs(
    shape: str, words: list[str], lead: bytes, start: bytes | None, name: str
) -> None:
    if shape == "csv":
        body = (",".join(words) + "\n" + ",".join("v" for _ in words) + "\n").encode()
    elif shape == "json":
        body = json.dumps({w: [{"title": "t", "fields": []}] for w in words}).encode()
    elif shape == "array":
        body = json.dumps([dict.fromkeys(words, "v")] * 2).encode()
    else:
        body = "\n".join(words).encode()
    data = lead + (start + b" " if start is not None else b"") + body
    _same_answers(data, name)


# --------------------------------------------------------------------------- what is imported


def _modules_after(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(done.stdout.split()[-1000:])


def _adapter_modules(modules: set[str]) -> set[str]:
    apps = {path.partition(":")[0] for path in registry.BUILTINS}
    return modules & apps


def test_detecting_a_csv_imports_no_reader_and_no_cxf_layer(tmp_path: Path) -> None:
    csv = tmp_path / "chrome.csv"
    csv.write_bytes(b"name,url,username,password,note\nExample,https://example.com,a,b,\n")
    code = (
        "from cxkit import adapters\n"
        f"found = adapters.detect(adapters.make_sample(open({str(csv)!r}, 'rb').read(), 'c.csv'))\n"
        "assert found.key == 'chrome-csv' and found.info.app.startswith('Google')\n"
    )
    modules = _modules_after(code)
    assert _adapter_modules(modules) == set()
    assert not {m for m in modules if m == "msgspec" or m.startswith("cxkit.cxf")}


def test_a_json_input_imports_only_the_readers_it_shows_evidence_for(tmp_path: Path) -> None:
    doc = {"encrypted": False, "folders": [], "items": [{"type": 1, "name": "n", "login": {}}]}
    path = tmp_path / "bw.json"
    path.write_text(json.dumps(doc))
    code = (
        "from cxkit import adapters\n"
        f"found = adapters.detect(adapters.make_sample(open({str(path)!r}, 'rb').read(), 'b.json'))\n"
        "assert found.key == 'bitwarden-json'\n"
        "found.adapter\n"
    )
    imported = _adapter_modules(_modules_after(code))
    # Bitwarden's (the winner and its encrypted twin) and Enpass's (an "items" array) only
    assert imported == {
        "cxkit.adapters.bitwarden.json_export",
        "cxkit.adapters.enpass",
    }


def test_get_imports_one_adapter() -> None:
    modules = _modules_after(
        "from cxkit.adapters import registry\nregistry.get('firefox-csv')\n"
        "registry.writer_for_name('x.kdbx'); registry.cxf_format()\n"
    )
    assert _adapter_modules(modules) == {"cxkit.adapters.firefox"}


# --------------------------------------------------------------------------- plug-ins


def test_a_plugin_is_asked_and_found_by_key(monkeypatch: pytest.MonkeyPatch) -> None:
    base = registry.get("chrome-csv")

    class Plugin:
        info = dataclasses.replace(base.info, key="plugin-csv", extensions=(".plugincsv",))

        def accepts(self, sample: Sample) -> Any:
            return adapters.Confidence.MAYBE if sample.kind == "csv" else adapters.Confidence.NO

        def read(self, *a: Any) -> Any:
            raise AssertionError

    class EP:
        name = "plugin"

        def load(self) -> Any:
            return Plugin

    registry._reset_for_tests()
    monkeypatch.setattr(registry, "_entry_points", lambda: [EP()])
    try:
        sample = make_sample(b"name,url,username,password,note\n", "x.csv")
        tried = dict(adapters.detect(sample).tried)
        assert tried["plugin-csv"] == adapters.Confidence.MAYBE
        assert adapters.detect(sample).key == "chrome-csv"
        assert registry.static_info("plugin-csv").key == "plugin-csv"
        assert registry.get("plugin-csv").info.key == "plugin-csv"
        assert "plugin-csv" in registry.adapters()
        assert registry.writer_for_name("x.plugincsv") == "plugin-csv"
    finally:
        registry._reset_for_tests()


_PLUGIN = """
from cxkit.adapters import AdapterInfo, Capability, Confidence


class TablePlugin:
    info = AdapterInfo(key="table-plugin-csv", app="Plug-in", format="CSV", versions="1",
                       capabilities=Capability.READ, credential_types=frozenset(),
                       how_to_export="-", csv_header=frozenset({"plugin_a", "plugin_b"}))

    def read(self, sample, options, report):
        raise NotImplementedError
"""


def test_an_installed_plugin_is_found_through_its_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real distribution on ``sys.path`` (dist-info with ``entry_points.txt``), found by the
    cheap look and loaded through :mod:`importlib.metadata` — not a stubbed entry point."""
    (tmp_path / "cxkit_table_plugin.py").write_text(_PLUGIN)
    info = tmp_path / "cxkit_table_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: cxkit-table-plugin\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text(
        "[cxkit.adapters]\ntable = cxkit_table_plugin:TablePlugin\n"
    )
    registry._reset_for_tests()
    assert "table-plugin-csv" not in registry.plugins()
    monkeypatch.syspath_prepend(str(tmp_path))
    registry._reset_for_tests()
    try:
        assert registry._may_have_plugins()
        assert registry.get("table-plugin-csv").info.app == "Plug-in"
        found = adapters.detect(make_sample(b"plugin_b,plugin_a\n1,2\n", "p.csv"))
        assert (found.key, found.confidence) == ("table-plugin-csv", adapters.Confidence.CERTAIN)
    finally:
        registry._reset_for_tests()


def test_what_the_cheap_look_cannot_tell_counts_as_maybe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other.dist-info"
    other.mkdir()
    (other / "entry_points.txt").write_text("[console_scripts]\nx = y:z\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path), str(tmp_path / "missing")])
    assert registry._may_have_plugins() is False
    archive = tmp_path / "lib.zip"
    archive.write_bytes(_zip(["a.py"]))
    monkeypatch.setattr(sys, "path", [str(tmp_path), str(archive)])
    assert registry._may_have_plugins() is True
    monkeypatch.setattr(sys, "path", [str(tmp_path / "x.egg")])
    assert registry._may_have_plugins() is True
