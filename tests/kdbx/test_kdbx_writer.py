"""The KDBX writer's shortcuts give the same bytes as the slow way: the escape check, the time
formatting, and timestamps written back as read (only while nobody touched them)."""

from __future__ import annotations

import base64
import struct
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from cxkit import _zlib
from cxkit.kdbx import Entry, Times, read_kdbx, write_kdbx
from cxkit.kdbx._xml import _EPOCH, _NEEDS_ESCAPE, _SECOND, RawTimes, _fmt_time_of, _plain

TEXT = st.text(
    alphabet=st.sampled_from(list("ab &<>\r\n\t\x00\x01\x0b\x1f\x7f é\ud800\ufffe\uffff😀")),
    max_size=8,
)


@given(TEXT)
def test_the_fast_escape_check_agrees_with_the_pattern(text: str) -> None:
    assert _plain(text) == (_NEEDS_ESCAPE.search(text) is None)


@given(
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=-7, minutes=-30))]),
    )
)
def test_time_formatting_is_the_floor_of_seconds_since_year_one(dt: datetime) -> None:
    aware = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt
    secs = (aware - _EPOCH) // _SECOND
    assert _fmt_time_of(dt) == base64.b64encode(struct.pack("<q", secs)).decode()


def _time_text(dt: datetime) -> str:
    return base64.b64encode(struct.pack("<q", (dt - _EPOCH) // _SECOND)).decode()


def test_raw_times_are_written_only_in_kdbx4_form() -> None:
    t = _time_text(datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC))
    usual = RawTimes((t, t, t, t, "False", "3", t))
    assert usual.xml() == (
        f"<Times><CreationTime>{t}</CreationTime><LastModificationTime>{t}"
        f"</LastModificationTime><LastAccessTime>{t}</LastAccessTime><ExpiryTime>{t}"
        f"</ExpiryTime><Expires>False</Expires><UsageCount>3</UsageCount>"
        f"<LocationChanged>{t}</LocationChanged></Times>"
    )
    for odd in (
        ("2017-01-01T00:00:00Z", t, t, t, "False", "3", t),  # KDBX 3.1 / XML export form
        (t, "", t, t, "False", "3", t),
        (t, t, t, t, "true", "3", t),
        (t, t, t, t, "False", "-1", t),
        (t, t, t, t, "False", "٣", t),  # a digit, but not ASCII
        (t, t, "AAAAAAAAAA==", t, "False", "3", t),  # 7 bytes, not an int64
    ):
        assert RawTimes(odd).xml() is None, odd


def test_untouched_timestamps_survive_a_save_and_touched_ones_are_written() -> None:
    e = Entry()
    e.set("Title", "t")
    e.times = Times(
        creation=datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC),
        last_modification=datetime(2002, 2, 3, 4, 5, 6, tzinfo=UTC),
        last_access=datetime(2003, 2, 3, 4, 5, 6, tzinfo=UTC),
        expiry=datetime(2030, 1, 1, tzinfo=UTC),
        expires=True,
        usage_count=9,
        location_changed=datetime(2004, 2, 3, 4, 5, 6, tzinfo=UTC),
    )
    second = Entry()
    second.times = Times(creation=datetime(1999, 1, 1, tzinfo=UTC))
    from cxkit.kdbx import Database

    db = Database()
    db.root.entries.extend([e, second])
    data = write_kdbx(db, password="pw")
    first_read = read_kdbx(data, password="pw")
    a, b = first_read.root.entries
    assert isinstance(a.times._pending, RawTimes)  # not converted yet
    b.times.expires = True  # touched: converted, changed, written from the model
    again = read_kdbx(write_kdbx(first_read, password="pw"), password="pw")
    x, y = again.root.entries
    assert x.times == e.times
    assert y.times.creation == datetime(1999, 1, 1, tzinfo=UTC) and y.times.expires


def test_kdbx_compression_uses_zlib_ng() -> None:
    assert _zlib.IMPLEMENTATION == "zlib-ng"  # a declared dependency


def test_the_small_serializer_writes_what_elementtree_reads_back() -> None:
    from xml.etree import ElementTree as ET

    from cxkit.kdbx._xml import _simple_xml

    for xml in (
        "<AutoType><Enabled>True</Enabled><DataTransferObfuscation>0</DataTransferObfuscation>"
        "<Association><Window>a &amp; b &lt;c&gt; é</Window><KeystrokeSequence/></Association>"
        "</AutoType>",
        "<X/>",
        "<X>text</X>",
        "<X><Y><Z>deep</Z></Y></X>",
    ):
        el = ET.fromstring(xml)
        out = _simple_xml(el)
        assert out is not None
        assert ET.tostring(ET.fromstring(out)) == ET.tostring(el)
    for odd in ('<X a="1"/>', '<X><Y a="1"/></X>', "<X>mixed<Y/></X>", "<X><Y/>tail</X>"):
        assert _simple_xml(ET.fromstring(odd)) is None, odd  # ElementTree writes these
