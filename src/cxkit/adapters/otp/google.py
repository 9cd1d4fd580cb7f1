"""Google Authenticator (``../shared/formats/totp-apps.md`` §5): the "Transfer accounts" export
and the app's own database.

* **Migration URIs as text**: one ``otpauth-migration://offline?data=…`` per line (the protobuf
  ``MigrationPayload``, decoded by :mod:`cxkit.adapters.otp.gaqr`). A line that is not a valid
  migration URI is skipped with the reason; the others are read.
* **The export's QR code images** (PNG or JPEG): decoded with ``zxing-cpp`` on Pillow (imported
  only when an image is read). The image is bounded before it is decoded: at most
  :data:`MAX_IMAGE_BYTES` and :data:`MAX_IMAGE_PIXELS`. Several codes in one image are read
  together.
* **Several QR codes are one export**: Google splits a large export over several codes, each
  carrying ``batch_index`` / ``batch_size`` (and a shared ``batch_id``). One image is read at a
  time; the report names which part of how many it is, so the user converts each one (item ids
  derive from the batch id and index, so the parts never collide). A text file with all the
  parts' URIs, one per line, is the whole export in one input.
* **The app's SQLite database** (``databases``, root only): the ``accounts`` table (``email`` —
  the label —, ``secret`` Base32, ``counter``, ``type`` 0 TOTP / 1 HOTP, ``provider``,
  ``issuer``, ``original_name``), opened read-only on a private copy.

Google's format has no period (always 30 s) and only 6 or 8 digits.
"""

from __future__ import annotations

import io
from typing import Any, Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.kit.builder import Val, stable_id
from cxkit.adapters.kit.input import decode_text
from cxkit.adapters.otp import _android
from cxkit.adapters.otp._reader import NOT_CARRIED, EntryVault, Rec
from cxkit.adapters.otp.entry import Entry
from cxkit.adapters.otp.gaqr import Payload, parse_migration_uri
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import CxkitError, DecodeError, InputTooLargeError

__all__ = ["MAX_IMAGE_BYTES", "MAX_IMAGE_PIXELS", "GoogleAuthenticatorAdapter", "qr_texts"]

MAX_IMAGE_BYTES: Final = 32 << 20
"""An image larger than this (32 MiB) is not decoded."""
MAX_IMAGE_PIXELS: Final = 40_000_000
"""An image with more pixels than this (40 Mpx, e.g. 8000 × 5000) is not decoded."""
_SCHEME: Final = "otpauth-migration://"
_PNG: Final = b"\x89PNG\r\n\x1a\n"
_JPEG: Final = b"\xff\xd8\xff"
_DB_COLUMNS: Final = frozenset({"email", "secret", "counter", "type", "issuer", "original_name"})
_DB_TYPES: Final = {0: "totp", 1: "hotp"}


def _is_image(data: bytes) -> bool:
    return data.startswith((_PNG, _JPEG))


def qr_texts(data: bytes, name: str = "") -> list[str]:
    """The texts of the QR codes in a PNG or JPEG image (bounded first: bytes and pixels);
    :class:`DecodeError` when it is not an image that can be decoded."""
    where = name or None
    if len(data) > MAX_IMAGE_BYTES:
        raise InputTooLargeError(f"the image is larger than {MAX_IMAGE_BYTES >> 20} MiB",
                                 location=where)  # fmt: skip
    import zxingcpp
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data), formats=("PNG", "JPEG")) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise InputTooLargeError(
                    f"the image has {width} × {height} pixels; cxkit decodes at most "
                    f"{MAX_IMAGE_PIXELS // 1_000_000} million", location=where,
                )  # fmt: skip
            image.load()
            # QR codes only: a 1D decoder finds spurious bar codes in the modules of a QR code
            results = zxingcpp.read_barcodes(
                image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
            )
    except CxkitError:
        raise
    except Exception:
        raise DecodeError("the image cannot be decoded (damaged, or not PNG/JPEG)",
                          location=where) from None  # fmt: skip
    return [r.text for r in results if isinstance(r.text, str) and r.text]


def _image_texts(sample: Sample) -> list[str] | None:
    """The QR texts of an image input, decoded once per input (kept in ``sample.extra``);
    None when it is no image or cannot be decoded."""
    cache: dict[str, Any] = sample.extra
    if "qr_texts" not in cache:
        try:
            cache["qr_texts"] = qr_texts(sample.data, sample.name)
        except CxkitError:
            cache["qr_texts"] = None
    found: list[str] | None = cache["qr_texts"]
    return found


class GoogleAuthenticatorAdapter:
    info = AdapterInfo(
        key="google-authenticator",
        app="Google Authenticator",
        format="'Transfer accounts' QR code (image or otpauth-migration:// text); app database",
        versions="Android and iOS 5.10+ (transfer), Android app database",
        capabilities=Capability.READ,
        credential_types=frozenset({"totp", "custom-fields"}),
        how_to_export=(
            "Google Authenticator → ☰ → Transfer accounts → Export accounts: take a screenshot "
            "of each QR code (PNG/JPEG) and convert each image, or scan them and put the "
            "otpauth-migration:// texts in a file, one per line. The app's database "
            "(/data/data/com.google.android.apps.authenticator2/databases/databases, root "
            "only) is read as well."
        ),
        extensions=(".txt", ".png", ".jpg", ".jpeg"),
    )
    rp_id = "google.com"
    app = "Google Authenticator"

    def accepts(self, sample: Sample) -> Confidence:
        """CERTAIN for text starting with ``otpauth-migration://``, an image whose QR code holds
        one, and the app's database (its ``accounts`` table and columns)."""
        data = sample.data
        if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:20].lower() == _SCHEME.encode():
            return Confidence.CERTAIN
        if _is_image(data):
            texts = _image_texts(sample)
            if texts and any(t.strip().lower().startswith(_SCHEME) for t in texts):
                return Confidence.CERTAIN
            return Confidence.NO
        tables = _android.sample_tables(sample)
        if tables is not None and tables.get("accounts", frozenset()) >= _DB_COLUMNS:
            return Confidence.CERTAIN
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        data = sample.data
        vault = EntryVault.of(self, name, options, report)
        if data.startswith(_android.SQLITE_MAGIC):
            self._database(vault, data, name)
            return vault.document()
        if _is_image(data):
            texts = _image_texts(sample)
            if texts is None:
                texts = qr_texts(data, name)  # raises the reason
            uris = [t for t in texts if t.strip().lower().startswith(_SCHEME)]
            if not uris:
                raise DecodeError("the image holds no Google Authenticator export QR code",
                                  location=name or None)  # fmt: skip
            for index, uri in enumerate(uris):
                self._uri(vault, uri, f"{name}:qr[{index + 1}]:", report, f"QR code {index + 1}")
            return vault.document()
        text = decode_text(data, name=name)
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                self._uri(vault, line, f"{name}:{number}:", report, f"line {number}")
        return vault.document()

    def _uri(self, vault: EntryVault, uri: str, prefix: str, report: MigrationReport,
             where: str) -> None:  # fmt: skip
        try:
            payload = parse_migration_uri(uri)
        except DecodeError as exc:
            vault.skip(prefix, f"not a valid Google Authenticator migration URI: {exc.message}",
                       ("uri",), title=where)  # fmt: skip
            return
        report.add_field(f"{prefix}uri", where, Disposition.MEMBER, "",
                         "the migration URI: its accounts are the items below")  # fmt: skip
        self._payload(vault, payload, prefix, report)

    def _payload(self, vault: EntryVault, payload: Payload, prefix: str,
                 report: MigrationReport) -> None:  # fmt: skip
        size, index = payload.batch_size, payload.batch_index
        if size > 1:
            report.add_field(f"{prefix}batch_index", "", NOT_CARRIED, "",
                             f"part {index + 1} of {size} of one export: convert the other "
                             "parts (QR codes) too")  # fmt: skip
        else:
            report.add_field(f"{prefix}batch_index", "", Disposition.MEMBER, "",
                             "the whole export in one part")  # fmt: skip
        for member in ("version", "batch_size", "batch_id"):
            report.add_field(f"{prefix}{member}", "", Disposition.MEMBER, "",
                             "the export's bookkeeping")  # fmt: skip
        for unknown in payload.unknown:
            why = ("Google's own id of the account (newer apps)" if unknown.endswith(".#8")
                   else "a protobuf field cxkit does not know")  # fmt: skip
            report.add_field(f"{prefix}{unknown}", "", NOT_CARRIED, "", why)
        base = f"{payload.batch_id}/{index}"
        for number, entry in enumerate(payload.entries):
            vault.add(prefix, entry, source_id=stable_id(base, str(number)), index=number)

    def _database(self, vault: EntryVault, data: bytes, name: str) -> None:
        with _android.open_sqlite(data, name) as conn:
            columns = _android.sqlite_tables(conn).get("accounts", frozenset())
            if not columns >= _DB_COLUMNS:
                raise DecodeError("not a Google Authenticator database: no accounts table",
                                  location=name or None)  # fmt: skip
            cursor = conn.execute("SELECT * FROM accounts")
            names = [str(d[0]) for d in cursor.description]
            for index, row in enumerate(cursor):
                self._row(vault, dict(zip(names, row, strict=True)), f"{name}:accounts[{index + 1}]",
                          index)  # fmt: skip

    def _row(self, vault: EntryVault, row: dict[str, Any], at: str, index: int) -> None:
        label = str(row.get("email") or "")
        issuer = str(row.get("issuer") or "")
        account = label
        head, colon, tail = label.partition(":")
        if colon and (not issuer or head.strip() == issuer.strip()):
            issuer, account = issuer or head.strip(), tail.strip()
        code = row.get("type")
        kind = _DB_TYPES.get(code, f"type {code}") if isinstance(code, int) else "totp"
        counter = row.get("counter")
        where = {"secret": ".secret", "account": ".email", "kind": ".type"}
        if row.get("issuer") is not None:
            where["issuer"] = ".issuer"
        if counter is not None:
            where["counter"] = ".counter"
        entry = Entry(
            secret=str(row.get("secret") or ""), kind=kind, issuer=issuer, account=account,
            counter=counter if isinstance(counter, int) and kind == "hotp" else None, at=where,
        )  # fmt: skip
        recs: list[Rec] = []
        rest: list[Val] = []
        for column, value in row.items():
            if value is None or column in ("secret", "email", "type", "issuer", "counter"):
                continue
            if column == "_id":
                recs.append(("._id", Disposition.MEMBER, "item.id", "the item id derives from it"))
            elif column == "original_name":
                recs.append((".original_name", NOT_CARRIED, "",
                             "the label as first added (the current one is carried)"))  # fmt: skip
            elif column == "provider":
                recs.append((".provider", NOT_CARRIED, "", "Google's internal account kind"))
            else:
                rest.append(Val(str(value), f".{column}"))
        vault.add(at, entry, source_id=f"db/{row.get('_id', index)}", index=index, recs=recs,
                  leftovers=rest)  # fmt: skip
