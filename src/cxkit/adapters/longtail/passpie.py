"""Passpie YAML export (``formats/other-managers.md`` §6; ``exports/passpie/pass-import/
passpie.yml``): ``credentials: [{name, login, password, comment, fullname?, modified?}]`` and
``handler: passpie``, ``version: 1.0``. ``name`` is the site (the title), ``fullname``
Passpie's ``login@name`` (derived, not carried).

Read with PyYAML's safe loader (libyaml's when PyYAML has it; imported on first use), after a
size bound (:data:`MAX_YAML`); aliases are refused (a list or mapping met twice while walking
the result: no shared or recursive structures, so no "billion laughs"); the decoded
document then goes through the kit's JSON record reader (paths ``$.credentials[3].login``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any, ClassVar, Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.kit.input import decode_text
from cxkit.adapters.kit.records import JsonRecordReader, Records
from cxkit.adapters.kit.targets import (
    MODIFIED,
    NOTE,
    PASSWORD,
    TITLE,
    USERNAME,
    Column,
    Target,
)
from cxkit.adapters.report import MigrationReport
from cxkit.errors import DecodeError, InputTooLargeError

__all__ = ["MAX_YAML", "PasspieYamlAdapter", "load_yaml"]

MAX_YAML: Final = 16 << 20
"""A YAML export larger than this (16 MiB) is refused before parsing (PyYAML is slow and
builds the whole document)."""
MAX_DEPTH: Final = 64
_HANDLER: Final = re.compile(rb"^handler:\s*passpie\s*$", re.MULTILINE)
_CREDENTIALS: Final = re.compile(rb"^credentials:", re.MULTILINE)


def load_yaml(data: bytes, *, name: str = "") -> Any:
    """The safe load of *data* with no aliases, bounded in size and depth; dates and times
    become ISO 8601 texts. Errors name the line, never the text."""
    if len(data) > MAX_YAML:
        raise InputTooLargeError(f"the YAML file is larger than {MAX_YAML >> 20} MiB",
                                 location=name or None)  # fmt: skip
    import yaml  # type: ignore[import-untyped]  # (no stubs in the dev group)

    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader  # libyaml when built with it
    text = decode_text(data, name=name)
    try:
        loaded = yaml.load(text, Loader=loader)  # noqa: S506 - the safe loader
    except DecodeError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f" (line {mark.line + 1})" if mark is not None else ""
        raise DecodeError(f"not valid YAML{line}", location=name or None) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        raise DecodeError("not valid YAML", location=name or None) from None
    except RecursionError:
        raise DecodeError("the YAML nests too deeply", location=name or None) from None
    return _plain(loaded, 0, name, set())


def _plain(value: Any, depth: int, name: str, seen: set[int]) -> Any:
    """The YAML document as JSON would give it: dates as ISO texts; bytes, sets and aliases
    (a list or mapping met twice: shared or recursive) refused."""
    if depth > MAX_DEPTH:
        raise DecodeError(f"the YAML nests deeper than {MAX_DEPTH} levels", location=name or None)
    if isinstance(value, (dict, list)):
        if id(value) in seen:
            raise DecodeError("the YAML uses an alias (*name), which is refused",
                              location=name or None)  # fmt: skip
        seen.add(id(value))
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1, name, seen) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, depth + 1, name, seen) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (bytes, set)):
        raise DecodeError("the YAML holds binary or set values", location=name or None)
    return value


class PasspieYamlAdapter(JsonRecordReader):
    info = AdapterInfo(
        key="passpie-yaml",
        app="Passpie",
        format="YAML export",
        versions="1.x",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "note"}),
        how_to_export="passpie export passpie.yml (unencrypted; keep the file safe).",
        extensions=(".yml", ".yaml"),
    )
    records = (Records(("credentials",)),)
    fields: ClassVar[Mapping[str, Target | Column]] = {
        "name": TITLE,
        "login": USERNAME,
        "password": PASSWORD,
        "comment": NOTE,
        "modified": MODIFIED,
        "fullname": Column(Target.IGNORE, why="Passpie's login@name, made of the two"),
    }
    rp_id = "passpie.readthedocs.io"
    app = "Passpie"

    def accepts(self, sample: Sample) -> Confidence:
        """CERTAIN for text with a ``handler: passpie`` line and a ``credentials:`` list."""
        if sample.kind not in ("text", "csv"):
            return Confidence.NO
        data = sample.data[: 64 << 10] + sample.data[-4096:]
        # the word first (a byte search): the line pattern alone costs ~0.3 ms on 64 KiB of any
        # CSV, every detection (issue #12's fixed cost)
        if b"passpie" in data and _HANDLER.search(data) and _CREDENTIALS.search(data):
            return Confidence.CERTAIN
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        data = load_yaml(sample.data, name=sample.name)
        if not isinstance(data, dict):
            raise DecodeError("not a Passpie export (no credentials list)",
                              location=sample.name or None)  # fmt: skip
        return super().read(Sample(sample.name, b"", json=data), options, report)
