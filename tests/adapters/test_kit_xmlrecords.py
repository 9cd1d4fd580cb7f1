"""The declarative XML reader (``adapters/kit/xmlrecords.py``): child elements, nested element
paths and attributes mapped, repeated children as lists, leftovers as custom fields, every
non-empty text and attribute recorded at its element path, a DTD or entity refused, errors with
line and column and never the text, bad records skipped, a mutation fuzz."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import ClassVar
from xml.etree.ElementTree import Element

import pytest

from cxkit import cxf
from cxkit.adapters import contract
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions
from cxkit.adapters.detection import make_sample
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder
from cxkit.adapters.kit.records import RecordError
from cxkit.adapters.kit.targets import (
    FOLDER,
    HOOK,
    NOTE,
    PASSWORD,
    TITLE,
    URL,
    USERNAME,
    Column,
    Target,
)
from cxkit.adapters.kit.xmlrecords import XmlRecordReader, children, parse_xml
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.cxf import model as m
from cxkit.errors import AdapterError, CxkitError, DecodeError

SECRET = "Xml-Secret-3Fw"


class _Reader(XmlRecordReader):
    info: ClassVar[AdapterInfo] = AdapterInfo(
        key="test-xml", app="Test", format="XML", versions="1", capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "note", "custom-fields"}), how_to_export="-",
        xml_root="vault",
    )  # fmt: skip
    record_path = "vault/list/entry"
    fields: ClassVar[Mapping[str, Target | Column]] = {
        "title": TITLE,
        "login/user": USERNAME,
        "login/pass": PASSWORD,
        "url": URL,
        "notes": NOTE,
        "@group": FOLDER,
        "@kind": Column(Target.IGNORE, why="the kind"),
        "secret": HOOK,
        "blob": Column(Target.IGNORE, why="a blob"),
    }
    rp_id = "test.example"
    app = "Test"

    def begin(self, root: Element, vault: VaultBuilder) -> None:
        vault.state["shout"] = root.get("shout") == "1"

    def record(self, b: ItemBuilder, el: Element, at: str, vault: VaultBuilder) -> None:
        for child, child_at in children(el):
            if child.tag == "secret":
                if len(child):
                    raise RecordError("element secret has child elements")
                text = child.text or ""
                b.custom("secret", Val(text.upper() if vault.state["shout"] else text, child_at),
                         hidden=True)  # fmt: skip


XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<vault shout="1">
  <!-- a comment -->
  <settings><x>1</x></settings>
  <list>
    <entry group="Work" kind="login">
      <title>mail</title>
      <login><user>alice</user><pass><![CDATA[{SECRET}]]></pass></login>
      <url>https://a.example</url>
      <url>https://b.example</url>
      <notes>line 1
line 2 &amp; more</notes>
      <secret>pin</secret>
      <colour tone="dark">blue</colour>
      <extra><a>1</a><b x="y"/></extra>
      <blob><part>1</part></blob>
      <empty/>
    </entry>
    <entry><title>bad</title><login><user>u</user><pass>{SECRET}</pass></login>
      <secret><nested>{SECRET}</nested></secret></entry>
    <entry><title>bad too</title><notes><b>{SECRET}</b></notes></entry>
    <entry><title>plain</title><login><pass>pw</pass></login></entry>
  </list>
</vault>
""".encode()


def _read(data: bytes, name: str = "t.xml") -> tuple[cxf.Document, MigrationReport]:
    report = MigrationReport()
    doc = _Reader().read(make_sample(data, name), ReadOptions(), report)
    return doc, report


def test_reads_elements_attributes_lists_and_leftovers() -> None:
    assert _Reader().accepts(make_sample(XML, "t.xml")) is Confidence.LIKELY
    doc, _report = _read(XML)
    items = [i for _, i in doc.items()]
    assert [i.title for i in items] == ["mail", "plain"]
    mail = items[0]
    auth = mail.credentials[0]
    assert isinstance(auth, m.BasicAuth) and auth.password is not None
    assert auth.password.value == SECRET and auth.username is not None
    assert mail.scope is not None and mail.scope.urls == ("https://a.example", "https://b.example")
    note = next(c for c in mail.credentials if isinstance(c, m.Note))
    assert note.content.value == "line 1\nline 2 & more"
    custom = next(c for c in mail.credentials if isinstance(c, m.CustomFields))
    fields = {f.label: (f.value, f.field_type) for f in custom.fields}
    assert fields["secret"] == ("PIN", "concealed-string")  # the hooks ran
    assert fields["colour"] == ("blue", "string") and fields["colour/@tone"] == ("dark", "string")
    assert fields["extra/a"] == ("1", "string") and fields["extra/b/@x"] == ("y", "string")
    assert [c.title for c in doc.accounts[0].collections] == ["Work"]
    cxf.decode(cxf.encode(doc))


def test_every_text_and_attribute_is_recorded_at_its_path() -> None:
    _, report = _read(XML)
    by_path = {r.path: r for r in report.fields}
    entry = "t.xml:/vault/list/entry[1]"
    assert {f"{entry}/title", f"{entry}/login/pass", f"{entry}/url[1]", f"{entry}/url[2]",
            f"{entry}/@group", f"{entry}/@kind", f"{entry}/secret", f"{entry}/colour",
            f"{entry}/colour/@tone", f"{entry}/extra/a", f"{entry}/extra/b/@x",
            f"{entry}/blob"} <= set(by_path)  # fmt: skip
    assert by_path[f"{entry}/login/pass"].disposition is Disposition.MEMBER
    assert by_path[f"{entry}/blob"].note == "a blob"
    assert f"{entry}/empty" not in by_path  # an empty element holds nothing


def test_bad_records_are_skipped_with_reasons_and_no_values() -> None:
    _, report = _read(XML)
    reasons = [r for _, r in report.items_skipped]
    assert len(reasons) == 2
    assert "record 2 cannot be read: element secret has child elements" in reasons
    assert "record 3 cannot be read: element notes has child elements" in reasons
    text = json.dumps(report.to_json()) + report.render()
    assert SECRET not in text


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE vault [<!ENTITY x "' + SECRET.encode() + b'">]>'
        b"<vault><list><entry><title>&x;</title></entry></list></vault>",
        b'<!DOCTYPE vault SYSTEM "http://example.invalid/x.dtd"><vault/>',
        b'<?xml version="1.0"?><!DOCTYPE v [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<vault>&b;</vault>",
        "<vault/>".encode("utf-16"),
    ],
)
def test_dtd_entities_and_utf16_are_refused(data: bytes) -> None:
    with pytest.raises(DecodeError) as info:
        _read(data)
    assert SECRET not in str(info.value)


def test_errors_give_line_and_column_never_the_text() -> None:
    bad = f"<vault>\n<list>\n<entry><title>{SECRET}</titel></entry></list></vault>".encode()
    with pytest.raises(DecodeError) as info:
        parse_xml(bad, name="bad.xml")
    assert info.value.location is not None and info.value.location.startswith("bad.xml:3:")
    assert "line 3" in str(info.value) and SECRET not in str(info.value)
    with pytest.raises(AdapterError):
        _read(b"<other><entry/></other>")


def test_mutations_raise_only_cxkit_errors() -> None:
    for mutant in contract.mutations(XML, 400, seed=11):
        try:
            _, report = _read(mutant)
        except CxkitError as exc:
            assert SECRET not in str(exc)
            continue
        assert SECRET not in json.dumps(report.to_json())
