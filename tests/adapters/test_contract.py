"""The adapter contract (``cxkit.adapters.contract``) over every registered adapter.

Runs automatically for every adapter the registry knows — built-ins and entry-point plug-ins
alike. An adapter's samples are the files of ``../shared/exports/`` detected as its format
(``test_detection_verdicts.py`` pins which files those must be) plus, for writers, the built-in
sample vault written by the adapter itself, so an adapter without a shared sample is still
checked. Secrets are the samples' own (every password, seed, key and hidden field read from
them), searched for in every message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cxkit.adapters import Capability, contract, detection, registry
from cxkit.errors import CxkitError
from shared_evidence import SHARED

EXPORTS = SHARED / "exports"
#: Samples of one adapter that get the (slower) mutation and secret checks; the smallest first.
MUTATED_PER_ADAPTER = 3
#: Damaged copies per sample; encrypted formats pay a key derivation for each, so fewer (their
#: container parsers have fuzz tests of their own: tests/kdbx, tests/crypto).
ROUNDS, ROUNDS_ENCRYPTED = 24, 4


def _password(text: str, path: Path) -> tuple[str | None, bytes | None]:
    """The password and key file of a manifest entry (``password + key file test4.key``)."""
    if not text or text.startswith("OpenPGP"):
        return None, None
    keyfile = None
    found = re.search(r"\+ key file (\S+)", text)
    if found:
        keyfile = (path.parent / found.group(1)).read_bytes()
    word = text.split(" + ")[0].split(" (")[0].strip()
    return ("" if word == '""' else word), keyfile


@cache
def _shared_samples() -> dict[str, list[contract.Sample]]:
    """Shared sample files by the adapter key they are detected as ("" = refused)."""
    if not EXPORTS.is_dir():
        return {}
    by_key: dict[str, list[contract.Sample]] = {}
    for entry in json.loads((EXPORTS / "manifest.json").read_text()):
        path = EXPORTS / entry["path"]
        password, keyfile = _password(entry["password"], path)
        sample = contract.Sample(path.name, path.read_bytes(), password, keyfile)
        try:
            key = detection.detect(detection.make_sample(sample.data, sample.name)).adapter.info.key
        except CxkitError:
            key = ""
        by_key.setdefault(key, []).append(sample)
    return by_key


def _adapters() -> list[Any]:
    return list(registry.adapters().values())


#: Samples of a format that cxkit refuses on purpose, with the reason (the refusal itself is
#: tested where the adapter is).
REFUSED = {
    "padlock.json": "its password is unknown (refused as a wrong password; a fixture stands in)",
}


@cache
def _fixtures() -> dict[str, list[contract.Sample]]:
    """The project's own samples, for formats with no (or few) real samples in ../shared."""
    from _op_data import onepif, onepux
    from _pp_adapter_data import export as proton_export
    from _pp_adapter_data import zip_export as proton_zip
    from test_adapters_bitwarden_zip import _export as bitwarden_zip
    from test_adapters_dashlane import credentials_csv, dashlane_zip
    from test_adapters_lastpass import lastpass_csv
    from test_adapters_padlock_json import RECORDS, padlock_export

    return {
        "bitwarden-zip": [contract.Sample("bitwarden_export.zip", bitwarden_zip()[1])],
        "protonpass": [
            contract.Sample("Proton Pass_export.json", json.dumps(proton_export()).encode()),
            contract.Sample("Proton Pass_export.zip", proton_zip()),
        ],
        "1password-1pux": [contract.Sample("1PasswordExport.1pux", onepux())],
        "1password-1pif": [contract.Sample("data.1pif", onepif())],
        "dashlane-zip": [contract.Sample("dashlane.zip", dashlane_zip())],
        "dashlane-csv": [contract.Sample("credentials.csv", credentials_csv())],
        "lastpass-csv": [contract.Sample("lastpass.csv", lastpass_csv())],
        "padlock-json": [
            contract.Sample("padlock.json", padlock_export(RECORDS, "contract-pw"), "contract-pw")
        ],
    }


def _own(key: str) -> list[contract.Sample]:
    shared = [s for s in _shared_samples().get(key, []) if s.name not in REFUSED]
    return shared + _fixtures().get(key, [])


def _others(key: str) -> list[contract.Sample]:
    return [s for k, samples in _shared_samples().items() if k != key for s in samples]


def _needs_shared() -> None:
    if not EXPORTS.is_dir():
        pytest.skip(f"outside evidence not found at {SHARED} (CI provides ../shared)")


def _encrypted(adapter: Any) -> bool:
    return bool(adapter.info.can(Capability.ENCRYPTED))


def _rounds(adapter: Any) -> int:
    return ROUNDS_ENCRYPTED if _encrypted(adapter) else ROUNDS


def _readable(adapter: Any) -> bool:
    return adapter.info.can(Capability.READ) and hasattr(adapter, "read")


ADAPTERS = pytest.mark.parametrize("adapter", _adapters(), ids=lambda a: a.info.key)

#: Formats read and written through the gpg program: the checks run with the GnuPG test
#: keyring (a private copy) and its key as the recipient (skipped where gpg is absent).
GPG_FORMATS = frozenset({"password-store"})


@pytest.fixture(autouse=True)
def _gnupg_for_gpg_formats(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    adapter = getattr(getattr(request.node, "callspec", None), "params", {}).get("adapter")
    if adapter is None or adapter.info.key not in GPG_FORMATS:
        yield
        return
    from _gnupg import KEY1, stop_daemons, test_keyring

    home = test_keyring(tmp_path)
    monkeypatch.setenv("GNUPGHOME", str(home))
    monkeypatch.setenv("PASSWORD_STORE_KEY", KEY1)
    yield
    stop_daemons(home)


@ADAPTERS
def test_detection(adapter: Any) -> None:
    _needs_shared()
    if not _readable(adapter):
        pytest.skip(f"{adapter.info.key} does not read")
    problems = contract.check_detection(adapter, _own(adapter.info.key), _others(adapter.info.key))
    assert not problems, "\n".join(problems)


@ADAPTERS
def test_every_source_field_is_accounted_for(adapter: Any) -> None:
    _needs_shared()
    if not _readable(adapter):
        pytest.skip(f"{adapter.info.key} does not read")
    problems = [p for s in _own(adapter.info.key) for p in contract.check_accounting(adapter, s)]
    assert not problems, "\n".join(problems)


def _mutated(adapter: Any) -> list[contract.Sample]:
    """The smallest shared samples and, for writers, the adapter's own output (the test is
    skipped for an adapter that does not read or has no sample)."""
    if not _readable(adapter):
        pytest.skip(f"{adapter.info.key} does not read")
    count = 1 if _encrypted(adapter) else MUTATED_PER_ADAPTER
    samples = sorted(_own(adapter.info.key), key=lambda s: len(s.data))[:count]
    if adapter.info.can(Capability.WRITE) and hasattr(adapter, "write"):
        data, _ = contract.write_reference(adapter)
        samples.append(contract.Sample("reference", data, "contract-pw"))
    if not samples:
        pytest.skip(f"no sample of {adapter.info.key} without ../shared")
    return samples


@ADAPTERS
def test_damaged_input_raises_only_cxkit_errors(adapter: Any) -> None:
    problems = [
        p for s in _mutated(adapter) for p in contract.check_mutations(adapter, s, _rounds(adapter))
    ]
    assert not problems, "\n".join(problems)


@ADAPTERS
def test_no_secret_in_any_message(adapter: Any) -> None:
    problems = [
        p for s in _mutated(adapter) for p in contract.check_secrets(adapter, s, _rounds(adapter))
    ]
    assert not problems, "\n".join(problems)


@ADAPTERS
def test_it_says_how_to_export_and_import(adapter: Any) -> None:
    problems = contract.check_info(adapter)
    assert not problems, "\n".join(problems)


@ADAPTERS
def test_writer_round_trip(adapter: Any) -> None:
    if not (adapter.info.can(Capability.WRITE) and hasattr(adapter, "write")):
        pytest.skip(f"{adapter.info.key} does not write")
    problems = contract.check_round_trip(adapter)
    assert not problems, "\n".join(problems)


def test_the_contract_can_fail() -> None:
    """The checks find what they look for: a reader that leaks, crashes and records nothing."""
    cxf_adapter = registry.get(registry.cxf_format())

    class Leaky:
        info = cxf_adapter.info

        def accepts(self, sample: Any) -> int:
            return 3

        def read(self, sample: Any, options: Any, report: Any) -> Any:
            json.loads(sample.data)  # a damaged file: a ValueError escapes
            doc = cxf_adapter.read(sample, options, report)
            report.fields.clear()
            secret = next(iter(contract.document_secrets(doc)))
            report.warnings.append(f"look: {secret}")
            return doc

    data, _ = contract.write_reference(cxf_adapter)
    sample = contract.Sample("leaky.json", data)
    original = registry._cache
    registry._cache = {**registry.adapters(), cxf_adapter.info.key: Leaky()}
    try:
        leaky = registry.get(cxf_adapter.info.key)
        assert contract.check_accounting(leaky, sample)
        assert contract.check_mutations(leaky, sample)
        assert contract.check_secrets(leaky, sample)
    finally:
        registry._cache = original


def test_the_contract_finds_a_secret_in_the_write_report() -> None:
    """A writer whose report names a value of the document fails the round-trip check."""
    cxf_adapter = registry.get(registry.cxf_format())

    class LeakyWriter:
        info = cxf_adapter.info

        def read(self, sample: Any, options: Any, report: Any) -> Any:
            return cxf_adapter.read(sample, options, report)

        def write(self, doc: Any, options: Any, report: Any) -> bytes:
            secret = next(iter(contract.document_secrets(doc)))
            report.warnings.append(f"look: {secret}")
            return bytes(cxf_adapter.write(doc, options, report))

    original = registry._cache
    registry._cache = {**registry.adapters(), cxf_adapter.info.key: LeakyWriter()}
    try:
        problems = contract.check_round_trip(registry.get(cxf_adapter.info.key))
    finally:
        registry._cache = original
    assert any("write report" in p for p in problems), problems
    assert not contract.check_round_trip(cxf_adapter)
