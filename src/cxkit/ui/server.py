"""``cxkit ui``: the migration as a local web app (issue 19), standard library only.

One process, one person: a :class:`UiServer` on 127.0.0.1 (a random port) serves plain HTML
forms — no script at all — for the migrate flow: upload an export → its detected format (its
password asked when it needs one) → a preview (credentials per type, items with every secret
masked) → the destination format and its password → the result to download and the report page
(:func:`cxkit.ui.render_report_html`).

Security (issue 19, "Security"):

* loopback only unless ``lan=True``; the ``Host`` header must name the server by IP literal or
  ``localhost`` (a DNS-rebinding page cannot reach it);
* a one-time token in the URL the command prints; its first use sets an HttpOnly,
  SameSite=Strict session cookie and redirects to a URL without it; every request needs that
  cookie;
* every POST needs the session's CSRF token (a hidden form field) and, when the browser sends
  one, an ``Origin`` equal to the server's (and a ``Sec-Fetch-Site`` of ``same-origin``);
* a strict Content-Security-Policy (nothing but the page's own inline style), no-store,
  a same-origin referrer policy, no framing;
* no secret in a URL (passwords travel in POST bodies only), a log line (method, path without
  query, status) or an error page (only cxkit's own error messages, which name no value);
* uploads and results in a private temporary folder (0700; files 0600) removed at exit; the
  server stops after an idle timeout or from its Stop button.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import json
import os
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from cxkit.errors import CxkitError, DecryptionError

__all__ = ["DEFAULT_IDLE_TIMEOUT", "UiApp", "UiServer", "make_server"]

#: Seconds without a request after which the server stops (30 minutes).
DEFAULT_IDLE_TIMEOUT: Final = 30 * 60.0
#: The largest upload (the CLI's ``--max-size`` default).
MAX_UPLOAD: Final = 256 * 1024 * 1024
_COOKIE: Final = "cxkit_ui"
#: The destination offered first: KeePass (KDBX 4), encrypted and read by most managers.
DEFAULT_DESTINATION: Final = "keepass-kdbx"

_CSS: Final = """
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1b1f;--line:#c9ccd3;--card:#f4f5f7;
--bad:#b3261e;--focus:#0b57d0}
@media (prefers-color-scheme:dark){:root{--bg:#141518;--fg:#e8e9ec;--line:#3b3f47;
--card:#1f2126;--bad:#ff8a80;--focus:#8ab4f8}}
body{margin:0;background:var(--bg);color:var(--fg);font:1rem/1.5 system-ui,sans-serif}
main{max-width:60rem;margin:0 auto;padding:1rem}
a{color:var(--focus)}:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
form{margin:1rem 0}td form{display:inline;margin:0 0 0 .5rem}select{max-width:100%}label{display:block;font-weight:600;margin:.5rem 0 .2rem}
input,select,button{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);
border-radius:.3rem;padding:.3rem .5rem}
button{background:var(--card);cursor:pointer}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid var(--line);
padding:.3rem .5rem;text-align:left;overflow-wrap:anywhere}th{background:var(--card)}
.error{border:2px solid var(--bad);border-radius:.5rem;padding:.5rem 1rem}
header{display:flex;justify-content:space-between;align-items:center;gap:1rem;flex-wrap:wrap}
""".strip()


#: The one script of cxkit ui: the Copy button of a revealed value (on that page only, allowed
#: by its hash). The button stays hidden without script or without the Clipboard API (a page
#: reached over --lan by IP is no secure context), so it never does nothing when pressed.
_COPY_JS: Final = (
    "(function(){var b=document.getElementById('copy'),v=document.getElementById('secret'),"
    "o=document.getElementById('copied');if(!b||!v||!o||!navigator.clipboard)return;"
    "b.hidden=false;b.addEventListener('click',function(){navigator.clipboard.writeText("
    "v.textContent).then(function(){o.textContent='Copied to the clipboard.'},function(){"
    "o.textContent='Copying did not work here: select the value and copy it.'})})})();"
)


def _sha256(text: str) -> str:
    import base64
    import hashlib

    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _csp(script: str = "") -> str:
    """The policy of every page: its own style, no script (the reveal page: its copy script,
    by hash), forms to this server only, no framing, nothing else."""
    scripts = f"; script-src {_sha256(script)}" if script else ""
    return (
        f"default-src 'none'; style-src {_sha256(_CSS)}; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; img-src 'none'; object-src 'none'" + scripts
    )


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _given(secret: str | None) -> Callable[[str], str] | None:
    """A password source that answers *secret* (None: no password)."""
    if secret is None:
        return None

    def provide(_prompt: str) -> str:
        return secret

    return provide


def _private_file(path: Path, data: bytes) -> None:
    """Write *data* to a new file readable by its owner only (0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


@dataclass
class _Task:
    """A conversion running in a worker thread; its progress page shows :attr:`report`'s
    counters (``MigrationReport`` is filled while the work runs) until :attr:`done`."""

    report: Any
    phase: str = "starting"
    started: float = field(default_factory=time.monotonic)
    done: threading.Event = field(default_factory=threading.Event)
    error: tuple[str, str] | None = None
    """(message, hint) of a failure: cxkit's own message (names, never values) or a kind."""
    failed_status: HTTPStatus = HTTPStatus.BAD_REQUEST
    recovery_code: str = field(default="", repr=False)
    """A generated recovery code: shown by the first page after the work is done, then
    forgotten."""
    kdf: str = ""
    """A slow key derivation announced by the library (:mod:`cxkit._kdfcost`): its algorithm,
    parameters and expected time (never a salt or key)."""


@dataclass
class _Job:
    """One uploaded export and what was made of it. The source password (and key file) stay in
    memory only (for the conversion after the preview) and are dropped with the job."""

    name: str
    path: Path
    source_format: str = ""
    password: str | None = field(default=None, repr=False)
    keyfile: bytes | None = field(default=None, repr=False)
    task: _Task | None = field(default=None, repr=False)
    result: Path | None = None
    migration: Any = field(default=None, repr=False)
    """The ``MigrationReport`` of the last conversion (names and counts, never a value)."""
    report: dict[str, Any] | None = None
    """Its JSON form, made on the first request of the report (``to_json`` of a 10k-item
    report takes seconds: the result page does not wait for it)."""
    doc: Any = field(default=None, repr=False)
    """The CXF document read (in memory only), for the preview, search and reveal."""
    note: str = ""
    """Shown above its preview (a merge's summary)."""


class _RefusedError(Exception):
    def __init__(self, status: HTTPStatus, why: str) -> None:
        super().__init__(why)
        self.status, self.why = status, why


@dataclass
class UiApp:
    """The state of one ``cxkit ui`` run: its secrets (URL token, session, CSRF token), its
    private folder and the jobs in it."""

    lan: bool = False
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    log: Callable[[str], None] = lambda _line: None
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    session: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="cxkit-ui-")))
    jobs: dict[str, _Job] = field(default_factory=dict)
    token_used: bool = False
    last_seen: float = field(default_factory=time.monotonic)
    stopping: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    running: dict[int, _Task] = field(default_factory=dict, repr=False)
    """The conversion each worker thread (by its ident) runs: where an announcement goes."""
    previous_announcer: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        from cxkit import _kdfcost

        self.folder.chmod(0o700)
        self.previous_announcer = _kdfcost.set_announcer(self.hear)

    def hear(self, estimate: Any) -> None:
        """A slow key derivation is about to run: shown on its conversion's progress page."""
        task = self.running.get(threading.get_ident())
        if task is not None:
            task.kdf = estimate.message()

    def cleanup(self) -> None:
        """Forget every job (and its password), remove the private folder, give the key
        derivation announcements back to whoever had them."""
        from cxkit import _kdfcost

        current = _kdfcost.set_announcer(self.previous_announcer)
        if current is not None and current != self.hear:  # registered after this app: kept
            _kdfcost.set_announcer(current)
        for job in self.jobs.values():
            job.password = job.doc = job.keyfile = job.task = job.migration = None
        self.jobs.clear()
        shutil.rmtree(self.folder, ignore_errors=True)

    def use_token(self, given: str) -> bool:
        """True once for the right token (it is one-time: the cookie takes over)."""
        with self.lock:
            if self.token_used or not hmac.compare_digest(given.encode(), self.token.encode()):
                return False
            self.token_used = True
            return True


class UiServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, app: UiApp, host: str, port: int) -> None:
        self.app = app
        super().__init__((host, port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """An error no handler caught: its type in the log, never the traceback (its text
        may hold a value)."""
        import sys

        self.app.log(f"error: {type(sys.exc_info()[1]).__name__}")

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        """The URL to open (with the one-time token); never logged by the server."""
        host = "127.0.0.1" if not self.app.lan else str(self.server_address[0])
        return f"http://{host}:{self.port}/?token={self.app.token}"

    def watch_idle(self) -> threading.Thread:
        """A thread that stops the server after :attr:`UiApp.idle_timeout` without a request."""

        def watch() -> None:
            app = self.app
            while not app.stopping.wait(min(5.0, max(app.idle_timeout / 4, 0.05))):
                if time.monotonic() - app.last_seen > app.idle_timeout:
                    app.log("idle timeout: stopping")
                    app.stopping.set()
            self.shutdown()

        thread = threading.Thread(target=watch, name="cxkit-ui-idle", daemon=True)
        thread.start()
        return thread


def make_server(
    *,
    lan: bool = False,
    port: int = 0,
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    log: Callable[[str], None] | None = None,
) -> UiServer:
    """A server on 127.0.0.1 (all addresses with *lan*), port *port* (0: a random free one).
    Run it with ``serve_forever()`` (and :meth:`UiServer.watch_idle`); call
    ``server.app.cleanup()`` after it stops."""
    app = UiApp(lan=lan, idle_timeout=idle_timeout, log=log or (lambda _line: None))
    try:
        return UiServer(app, "0.0.0.0" if lan else "127.0.0.1", port)  # noqa: S104
    except BaseException:
        app.cleanup()
        raise


# --------------------------------------------------------------------------- pages


def _page(
    title: str, body: str, app: UiApp | None = None, *, head: str = "", script: str = ""
) -> bytes:
    """A whole page: *head* goes into ``<head>`` (a refresh), *script* at the end of the body
    (its hash must be in the response's policy: :func:`_csp`)."""
    stop = (
        '<form method="post" action="/stop"><input type="hidden" name="csrf" '
        f'value="{_e(app.csrf)}"><button type="submit">Stop cxkit ui</button></form>'
        if app is not None
        else ""
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)} — cxkit</title><style>{_CSS}</style>{head}</head><body><main>"
        f"<header><h1>{_e(title)}</h1>{stop}</header>{body}</main>"
        + (f"<script>{script}</script>" if script else "")
        + "</body></html>"
    ).encode()


def _csrf_field(app: UiApp) -> str:
    return f'<input type="hidden" name="csrf" value="{_e(app.csrf)}">'


def _merge_form(app: UiApp) -> str:
    """Merge the files opened in this session (two or more) into one vault."""
    opened = [(k, j) for k, j in app.jobs.items() if j.doc is not None]
    if len(opened) < 2:
        return ""
    boxes = "".join(
        f'<li><label><input type="checkbox" name="merge_{_e(k)}" value="yes" checked> '
        f"{_e(j.name)} ({_e(j.source_format)})</label></li>"
        for k, j in opened
    )
    return (
        "<h2>Merge the files you opened</h2><p>Into one vault, the first one first: identical "
        "items kept once, TOTP and passkeys attached to their logins, conflicts kept both.</p>"
        f'<form method="post" action="/merge">{_csrf_field(app)}<ul>{boxes}</ul>'
        '<p><button type="submit">Merge</button></p></form>'
    )


def _home(app: UiApp) -> bytes:
    body = _merge_form(app) + (
        "<p>Migrate a vault: choose the export file of your password manager. It stays on this "
        "computer: cxkit reads it here, in a private folder removed when cxkit ui stops.</p>"
        '<form method="post" action="/upload" enctype="multipart/form-data">'
        f"{_csrf_field(app)}"
        '<label for="file">Export file</label><input id="file" name="file" type="file" required>'
        '<label for="password">Its password (only if it is encrypted)</label>'
        '<input id="password" name="password" type="password" autocomplete="off">'
        '<label for="keyfile">KeePass key file (only if the database uses one)</label>'
        '<input id="keyfile" name="keyfile" type="file">'
        '<p><button type="submit">Read it</button></p></form>'
        '<form method="post" action="/sample">'
        f"{_csrf_field(app)}"
        '<button type="submit">Try it with the built-in sample vault</button></form>'
        "<h2>Did everything arrive?</h2><p>Compare an export with what the new manager holds "
        "(both read here; nothing is kept).</p>"
        '<form method="post" action="/diff" enctype="multipart/form-data">'
        f"{_csrf_field(app)}"
        '<label for="old">The old export</label><input id="old" name="old" type="file" required>'
        '<label for="old_password">Its password (if encrypted)</label>'
        '<input id="old_password" name="old_password" type="password" autocomplete="off">'
        '<label for="new">The new export</label><input id="new" name="new" type="file" required>'
        '<label for="new_password_d">Its password (if encrypted)</label>'
        '<input id="new_password_d" name="new_password" type="password" autocomplete="off">'
        '<p><button type="submit">Compare</button></p></form>'
    )
    return _page("Migrate a vault", body, app)


def _diff_page(app: UiApp, names: tuple[str, str], formats: tuple[str, str], result: Any) -> bytes:
    """What of OLD did not arrive in NEW (:meth:`cxkit.compare.DiffResult.to_json`: names of
    items and fields, counts — never a value)."""
    r = result.to_json()

    def items(rows: list[dict[str, Any]], status: str | None = None) -> str:
        listed = [x for x in rows if status is None or x.get("status") == status]
        return "".join(f"<li>{_e(x['item'])} [{_e(x['kind'])}]</li>" for x in listed)

    sections = []
    for title, html in (
        ("Lost (the new format could hold them)", items(r["only_old"], "lost")),
        ("Not arrived: the new format cannot hold them", items(r["only_old"], "cannot-hold")),
        ("Only in the new export", items(r["only_new"])),
    ):
        if html:
            sections.append(f"<h2>{_e(title)}</h2><ul>{html}</ul>")
    changed = "".join(
        f"<tr><td>{_e(d['old'])}</td><td>{'yes' if d['lost'] else 'no'}</td><td>"
        + _e(", ".join(f"{f['field']} ({f['status']})" for f in d["fields"]))
        + "</td></tr>"
        for d in r["changed"]
    )
    if changed:
        sections.append(
            '<h2>Items that differ</h2><table><thead><tr><th scope="col">item</th>'
            '<th scope="col">something lost</th><th scope="col">fields</th></tr></thead>'
            f"<tbody>{changed}</tbody></table>"
        )
    body = (
        f"<p>{_e(names[0])} ({_e(formats[0])}) → {_e(names[1])} ({_e(formats[1])})</p>"
        f'<p role="status"><strong>{_e(r["summary"])}</strong></p>'
        + "".join(sections)
        + f"<p>(what the new format can hold: {_e(r['basis'])})</p>"
        '<p><a href="/">Back</a></p>'
    )
    return _page("Comparison", body, app)


def _error(app: UiApp | None, message: str, hint: str = "", back: str = "/") -> bytes:
    text = f'<div class="error" role="alert"><p>{_e(message)}</p>'
    if hint:
        text += f"<p>{_e(hint)}</p>"
    text += f'</div><p><a href="{_e(back)}">Back</a></p>'
    return _page("Something went wrong", text, app)


def _ask_password(app: UiApp, job_id: str, job: _Job, wrong: bool) -> bytes:
    body = (
        (
            '<div class="error" role="alert"><p>That password did not open it.</p></div>'
            if wrong
            else ""
        )
        + f"<p>{_e(job.name)} is encrypted ({_e(job.source_format or 'format detected')}).</p>"
        '<form method="post" action="/unlock" enctype="multipart/form-data">'
        f'{_csrf_field(app)}<input type="hidden" name="job" value="{_e(job_id)}">'
        '<label for="password">Its password (or recovery code)</label>'
        '<input id="password" name="password" type="password" autocomplete="off">'
        '<label for="keyfile">KeePass key file (only if the database uses one)</label>'
        '<input id="keyfile" name="keyfile" type="file">'
        '<p><button type="submit">Open</button></p></form>'
    )
    return _page("Password needed", body, app)


def _writers() -> list[tuple[str, str, bool, str]]:
    """(key, label, plaintext, file extension) of every writer that makes one file."""
    from cxkit.adapters import Capability
    from cxkit.adapters.registry import writers

    out = []
    for w in writers():
        info = w.info
        if info.can(Capability.FOLDER):
            continue
        ext = info.extensions[0] if info.extensions else ".out"
        out.append((info.key, f"{info.app}: {info.format}", bool(info.plaintext), ext))
    out.sort(key=lambda w: (w[2], w[1].lower()))
    return out


def _preview(app: UiApp, job_id: str, job: _Job, doc: Any, query: str = "") -> bytes:
    """Counts by type and the items (title and credential types; every secret masked, each
    item's revealed only by its own button), searchable by title."""
    from cxkit import cxf

    counts = cxf.type_counts(doc)
    rows = "".join(f"<tr><td>{_e(t)}</td><td>{n}</td></tr>" for t, n in counts.items())
    items = []
    hidden = f'{_csrf_field(app)}<input type="hidden" name="job" value="{_e(job_id)}">'
    for index, (_, item) in enumerate(doc.items()):
        if query and query.casefold() not in item.title.casefold():
            continue
        types = ", ".join(cxf.credential_type(c) for c in item.credentials)
        items.append(
            f"<tr><td>{_e(item.title)}</td><td>{_e(types)}</td><td>•••••"
            f'<form method="post" action="/reveal">{hidden}'
            f'<input type="hidden" name="item" value="{index}">'
            f'<button type="submit" aria-label="Show the fields of {_e(item.title)}">'
            "Show fields</button></form></td></tr>"
        )
        if len(items) >= 1000:
            items.append('<tr><td colspan="3">… (the first 1000 items: search)</td></tr>')
            break
    search = (
        f'<form method="post" action="/find" role="search">{hidden}'
        '<label for="q">Search items by title</label>'
        f'<input id="q" name="q" type="search" value="{_e(query)}"> '
        '<button type="submit">Search</button></form>'
    )
    options = "".join(
        f'<option value="{_e(k)}"{" selected" if k == DEFAULT_DESTINATION else ""}>'
        f"{_e(label)}{' — NOT encrypted' if plain else ''}</option>"
        for k, label, plain, _ in _writers()
    )
    note = f'<p role="status">{_e(job.note)}</p>' if job.note else ""
    body = (
        note + f"<p>{_e(job.name)}: <strong>{_e(job.source_format)}</strong>.</p>"
        '<table><caption>Credentials per type</caption><thead><tr><th scope="col">type</th>'
        f'<th scope="col">count</th></tr></thead><tbody>{rows}</tbody></table>'
        '<h2>Convert to</h2><form method="post" action="/convert" enctype="multipart/form-data">'
        f'{_csrf_field(app)}<input type="hidden" name="job" value="{_e(job_id)}">'
        f'<label for="to">Destination format</label><select id="to" name="to">{options}</select>'
        '<label for="new_password">Password of the new file (a sealed archive left without '
        "one gets a recovery code)</label>"
        '<input id="new_password" name="new_password" type="password" autocomplete="new-password">'
        '<label for="new_password2">The same password again</label>'
        '<input id="new_password2" name="new_password2" type="password" '
        'autocomplete="new-password">'
        '<label for="new_keyfile">A KeePass key file the new database also needs (optional; '
        "KeePass only)</label>"
        '<input id="new_keyfile" name="new_keyfile" type="file">'
        '<label><input type="checkbox" name="plaintext" value="yes"> I understand that a '
        "format that is NOT encrypted holds every secret in clear text</label>"
        '<p><button type="submit">Convert</button></p></form>'
        f"<h2>Items</h2>{search}<table><caption>Items (secrets masked)</caption><thead><tr>"
        '<th scope="col">title</th><th scope="col">credentials</th><th scope="col">secrets</th>'
        f"</tr></thead><tbody>{''.join(items)}</tbody></table>"
    )
    return _page("Preview", body, app)


def _leaves(value: Any, path: str = "") -> list[tuple[str, str]]:
    """(member path, value) of every leaf of a credential's JSON form; a labelled field (CXF
    1.0 EditableField with a ``label``) is one leaf named by its label; ``extensions`` (cxkit's
    bookkeeping) are left out."""
    if isinstance(value, dict):
        label, inner = value.get("label"), value.get("value")
        if (
            isinstance(label, str)
            and inner is not None
            and not isinstance(inner, dict | list | tuple)
        ):
            return [(f"{path} ({label})" if path else label, str(inner))]
        return [
            x
            for k, v in value.items()
            if k != "extensions"
            for x in _leaves(v, f"{path}.{k}" if path else k)
        ]
    if isinstance(value, list | tuple):
        return [x for i, v in enumerate(value) for x in _leaves(v, f"{path}[{i}]")]
    return [] if value is None else [(path, str(value))]


#: Members that only give a credential its shape (CXF 1.0 §2: ``type``, ``id``, an
#: EditableField's ``fieldType``): listed by no reveal.
_STRUCTURAL: Final = frozenset({"type", "id", "fieldType"})


def _fields(item: Any) -> list[tuple[str, str, str]]:
    """(credential type, member path, value) of every value of *item*'s credentials, in a
    stable order: the numbers the per-field reveal is asked with."""
    import msgspec

    from cxkit import cxf

    out = []
    for credential in item.credentials:
        kind = cxf.credential_type(credential)
        for path, value in _leaves(msgspec.to_builtins(credential)):
            if path.rsplit(".", 1)[-1].split("[", 1)[0] not in _STRUCTURAL:
                out.append((kind, path.removesuffix(".value"), value))
    return out


def _reveal(app: UiApp, job_id: str, job: _Job, index: int, which: int | None) -> bytes:
    """One item's fields, every value masked, each with its own Reveal button (a POST with
    the CSRF token, never cached); *which*: the one field shown, with a Copy button."""
    found = next((i for n, (_, i) in enumerate(job.doc.items()) if n == index), None)
    if found is None:
        raise _RefusedError(HTTPStatus.NOT_FOUND, "no such item")
    fields = _fields(found)
    if which is not None and not 0 <= which < len(fields):
        raise _RefusedError(HTTPStatus.NOT_FOUND, "no such field")
    hidden = (
        f'{_csrf_field(app)}<input type="hidden" name="job" value="{_e(job_id)}">'
        f'<input type="hidden" name="item" value="{index}">'
    )
    rows = []
    for n, (kind, path, value) in enumerate(fields):
        if n == which:
            cell = (
                f'<code id="secret">{_e(value)}</code> '
                '<button type="button" id="copy" hidden>Copy</button>'
                '<span id="copied" role="status"></span>'
            )
        else:
            cell = (
                f'•••••<form method="post" action="/reveal">{hidden}'
                f'<input type="hidden" name="field" value="{n}">'
                f'<button type="submit" aria-label="Reveal {_e(kind)} {_e(path)}">Reveal'
                "</button></form>"
            )
        rows.append(f'<tr><td>{_e(kind)}</td><th scope="row">{_e(path)}</th><td>{cell}</td></tr>')
    back = (
        f'<form method="post" action="/find">{_csrf_field(app)}'
        f'<input type="hidden" name="job" value="{_e(job_id)}"><button type="submit">'
        "Hide and go back to the items</button></form>"
    )
    shown = (
        "<p>One value shown because you asked; this page is not kept (no-store). Close it or "
        "go back when done.</p>"
        if which is not None
        else "<p>Every value is masked: reveal one at a time.</p>"
    )
    body = (
        shown + '<table><caption>Fields</caption><thead><tr><th scope="col">credential</th>'
        '<th scope="col">field</th><th scope="col">value</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{back}"
    )
    return _page(found.title, body, app, script=_COPY_JS if which is not None else "")


def _result(app: UiApp, job_id: str, job: _Job, recovery_code: str = "") -> bytes:
    """The result: counts, the download, the report; a generated recovery code is shown here
    once (this response only: it is kept nowhere)."""
    report = job.migration
    creds = report.credential_summary()
    carried = sum(v.get("carried", 0) for v in creds.values())
    changed = sum(v.get("transformed", 0) for v in creds.values())
    lost = sum(v.get("not_carried", 0) for v in creds.values())
    name = job.result.name if job.result else ""
    code = (
        '<div class="error" role="alert"><p><strong>Recovery code</strong> — shown only this '
        "once. Write it down or store it in a password manager; without it the archive cannot "
        f"be opened:</p><p><code>{_e(recovery_code)}</code></p></div>"
        if recovery_code
        else ""
    )
    body = code + (
        f"<p>{report.items_written} items written as "
        f"{_e(report.destination_format)}: {carried} credentials carried, "
        f"{changed} transformed, {lost} not carried.</p>"
        f'<p><a href="/download/{_e(job_id)}" download="{_e(name)}">Download {_e(name)}</a></p>'
        f'<p><a href="/report/{_e(job_id)}">Open the migration report</a> · '
        f'<a href="/report/{_e(job_id)}.json">the report as JSON</a></p>'
        '<p><a href="/">Migrate another file</a></p>'
    )
    return _page("Done", body, app)


_PHASES: Final = {
    "starting": "starting",
    "read": "reading the export",
    "verify": "checking every passkey (a signature made and verified with each)",
    "write": "writing the new file and proving its TOTP codes",
}


def _progress(app: UiApp, job_id: str, job: _Job, task: _Task) -> bytes:
    """The conversion still running: its phase and the report's counters, refreshed by the
    page itself every 2 seconds (``<meta http-equiv=refresh>``: no script)."""
    r = task.report
    seconds = int(time.monotonic() - task.started)
    body = (
        f"<p>{_e(job.name)} → {_e(r.destination_format or 'the new file')}</p>"
        f'<p role="status">Now: {_e(_PHASES.get(task.phase, task.phase))} ({seconds} s).</p>'
        f"<ul><li>items read: {r.items_read}</li>"
        f"<li>passkeys checked: {len(r.passkeys)}</li>"
        f"<li>items written: {r.items_written}</li>"
        + (f"<li>{_e(task.kdf)}</li>" if task.kdf else "")
        + "</ul>"
        "<p>This page refreshes itself every 2 seconds until the work is done.</p>"
        f'<p><a href="/progress/{_e(job_id)}">Refresh now</a></p>'
    )
    return _page("Converting", body, app, head='<meta http-equiv="refresh" content="2">')


# --------------------------------------------------------------------------- the handler


class _Handler(BaseHTTPRequestHandler):
    server: UiServer
    protocol_version = "HTTP/1.1"
    server_version = "cxkit-ui"
    sys_version = ""

    # -- plumbing
    def log_message(self, format: str, *args: Any) -> None:
        """Nothing of the request but its method and path without the query."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = urlsplit(self.path).path
        self.server.app.log(f"{self.command} {path} {code}")

    def _send(
        self,
        status: HTTPStatus,
        body: bytes,
        *,
        ctype: str = "text/html; charset=utf-8",
        headers: Mapping[str, str] | None = None,
        csp: str | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", csp or _csp())
        self.send_header("X-Content-Type-Options", "nosniff")
        # same-origin, not no-referrer: under no-referrer Chromium sends "Origin: null" with
        # the page's own form posts, which the Origin check must refuse (a sandboxed frame sends
        # it too); other sites still get no Referer
        self.send_header("Referrer-Policy", "same-origin")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _refuse(self, status: HTTPStatus, why: str) -> None:
        self.close_connection = True
        self._send(status, _page("Refused", f'<p class="error" role="alert">{_e(why)}</p>'))

    def _check_origin_host(self) -> None:
        """The peer is this machine (unless --lan) and the Host header names this server by
        an IP literal or localhost (no DNS rebinding)."""
        app = self.server.app
        peer = ipaddress.ip_address(self.client_address[0])
        if not app.lan and not peer.is_loopback:
            raise _RefusedError(HTTPStatus.FORBIDDEN, "only this computer may connect")
        host = (self.headers.get("Host") or "").strip()
        try:
            parts = urlsplit("//" + host)
            name, port = parts.hostname or "", parts.port
        except ValueError:
            raise _RefusedError(HTTPStatus.FORBIDDEN, "unexpected Host header") from None
        if port != self.server.port:
            raise _RefusedError(HTTPStatus.FORBIDDEN, "unexpected Host header")
        if name == "localhost":
            return
        try:
            addr = ipaddress.ip_address(name)
        except ValueError:
            raise _RefusedError(HTTPStatus.FORBIDDEN, "unexpected Host header") from None
        if not app.lan and not addr.is_loopback:
            raise _RefusedError(HTTPStatus.FORBIDDEN, "unexpected Host header")

    def _has_session(self) -> bool:
        from http.cookies import CookieError, SimpleCookie

        cookie = SimpleCookie()
        try:
            cookie.load(self.headers.get("Cookie") or "")
        except CookieError:
            return False
        morsel = cookie.get(_COOKIE)
        return morsel is not None and hmac.compare_digest(
            morsel.value.encode(), self.server.app.session.encode()
        )

    def _admit(self) -> bool:
        """Checks every request; False when a response was already sent."""
        app = self.server.app
        try:
            self._check_origin_host()
        except _RefusedError as r:
            self._refuse(r.status, r.why)
            return False
        app.last_seen = time.monotonic()
        url = urlsplit(self.path)
        token = parse_qs(url.query).get("token", [""])[0]
        if self.command == "GET" and url.path == "/" and token:
            if app.use_token(token):
                cookie = f"{_COOKIE}={app.session}; HttpOnly; SameSite=Strict; Path=/"
                self._send(
                    HTTPStatus.SEE_OTHER, b"", headers={"Location": "/", "Set-Cookie": cookie}
                )
                return False
            self._refuse(HTTPStatus.FORBIDDEN, "this link was already used or is wrong")
            return False
        if not self._has_session():
            self._refuse(
                HTTPStatus.FORBIDDEN,
                "open the link that cxkit ui printed (it works once, in one browser)",
            )
            return False
        return True

    # -- GET
    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if not self._admit():
            return
        app = self.server.app
        path = urlsplit(self.path).path
        if path == "/":
            self._send(HTTPStatus.OK, _home(app))
            return
        if path.startswith("/progress/"):
            self._progress(path[len("/progress/") :])
            return
        for prefix, kind in (("/download/", "download"), ("/report/", "report")):
            if path.startswith(prefix):
                try:
                    self._job_file(path[len(prefix) :], kind)
                except Exception as exc:  # a bug or a vanished file: its kind, never its text
                    self._failed(exc)
                return
        self._send(HTTPStatus.NOT_FOUND, _error(app, "no such page"))

    def _failed(self, exc: BaseException) -> None:
        app = self.server.app
        app.log(f"error: {type(exc).__name__}")
        self._send(
            HTTPStatus.INTERNAL_SERVER_ERROR,
            _error(app, f"cxkit failed ({type(exc).__name__}); this is a bug in cxkit"),
        )

    def _progress(self, job_id: str) -> None:
        """The page of a conversion: its progress while it runs (waiting up to a second first,
        so a quick one shows its result at once), then its result or its error."""
        app = self.server.app
        job = app.jobs.get(job_id)
        task = job.task if job is not None else None
        if job is None or task is None:
            self._send(HTTPStatus.NOT_FOUND, _error(app, "no such conversion"))
            return
        if not task.done.wait(1.0):
            self._send(HTTPStatus.OK, _progress(app, job_id, job, task))
        elif task.error is not None:
            self._send(task.failed_status, _error(app, *task.error))
        else:
            with app.lock:  # shown once: by a GET (a HEAD gets no body, so it keeps it)
                code = task.recovery_code
                if self.command == "GET":
                    task.recovery_code = ""
            self._send(HTTPStatus.OK, _result(app, job_id, job, code))

    def _job_file(self, name: str, kind: str) -> None:
        from cxkit.ui.report_html import content_security_policy, render_report_html

        app = self.server.app
        as_json = kind == "report" and name.endswith(".json")
        job = app.jobs.get(name.removesuffix(".json") if as_json else name)
        if job is None or job.result is None or job.migration is None:
            self._send(HTTPStatus.NOT_FOUND, _error(app, "no such result"))
            return
        data = job.report
        if kind == "report" and data is None:  # made once, on the first request
            data = job.report = job.migration.to_json()
        if kind == "download":
            self._send(
                HTTPStatus.OK,
                job.result.read_bytes(),
                ctype="application/octet-stream",
                headers={"Content-Disposition": f'attachment; filename="{job.result.name}"'},
            )
        elif as_json:
            body = json.dumps(data, indent=2, ensure_ascii=False).encode()
            self._send(HTTPStatus.OK, body, ctype="application/json; charset=utf-8")
        else:
            html = render_report_html(data or {}, title=f"Migration report: {job.name}")
            self._send(HTTPStatus.OK, html.encode(), csp=content_security_policy())

    # -- POST
    def do_POST(self) -> None:
        if not self._admit():
            return
        app = self.server.app
        try:
            form, files = self._form()
            origin = self.headers.get("Origin")
            if origin is not None and origin != f"http://{self.headers.get('Host')}":
                raise _RefusedError(HTTPStatus.FORBIDDEN, "a request from another site was refused")
            fetch_site = self.headers.get("Sec-Fetch-Site")
            if fetch_site is not None and fetch_site != "same-origin":
                raise _RefusedError(HTTPStatus.FORBIDDEN, "a request from another site was refused")
            given = form.get("csrf", "")
            if not given or not hmac.compare_digest(given.encode(), app.csrf.encode()):
                raise _RefusedError(HTTPStatus.FORBIDDEN, "the form is stale or from another site")
        except _RefusedError as r:
            self._refuse(r.status, r.why)
            return
        path = urlsplit(self.path).path
        try:
            if path == "/stop":
                self._send(HTTPStatus.OK, _page("cxkit ui stopped", "<p>You can close this tab."))
                app.stopping.set()
                threading.Thread(target=self.server.shutdown, daemon=True).start()
            elif path == "/upload":
                name, data = files.get("file", ("", b""))
                if not data:
                    raise _RefusedError(HTTPStatus.BAD_REQUEST, "choose a file first")
                self._new_job(
                    Path(name).name or "export",
                    data,
                    form.get("password") or None,
                    keyfile=files.get("keyfile", ("", b""))[1] or None,
                )
            elif path == "/sample":
                from importlib.resources import files as resources

                data = resources("cxkit.samples").joinpath("sample-bitwarden.json").read_bytes()
                self._new_job("sample-bitwarden.json", data, None)
            elif path == "/unlock":
                job_id = form.get("job", "")
                job = app.jobs.get(job_id)
                if job is None:
                    raise _RefusedError(HTTPStatus.NOT_FOUND, "no such file; upload it again")
                job.password = form.get("password") or None
                job.keyfile = files.get("keyfile", ("", b""))[1] or None
                self._open(job_id, job)
            elif path == "/convert":
                self._convert(form, files)
            elif path == "/diff":
                self._diff(form, files)
            elif path == "/merge":
                self._merge(form)
            elif path in ("/find", "/reveal"):
                job_id = form.get("job", "")
                job = app.jobs.get(job_id)
                if job is None or job.doc is None:
                    raise _RefusedError(HTTPStatus.NOT_FOUND, "no such file; upload it again")
                if path == "/find":
                    page = _preview(app, job_id, job, job.doc, form.get("q", "")[:200])
                else:
                    index, which = form.get("item", ""), form.get("field", "")
                    if not index.isdigit() or not (which == "" or which.isdigit()):
                        raise _RefusedError(HTTPStatus.BAD_REQUEST, "no such item")
                    page = _reveal(app, job_id, job, int(index), int(which) if which else None)
                    if which:
                        self._send(HTTPStatus.OK, page, csp=_csp(_COPY_JS))
                        return
                self._send(HTTPStatus.OK, page)
            else:
                self._send(HTTPStatus.NOT_FOUND, _error(app, "no such action"))
        except _RefusedError as r:
            self._send(r.status, _error(app, r.why))
        except CxkitError as exc:
            self._send(HTTPStatus.BAD_REQUEST, _error(app, exc.message, exc.hint or ""))
        except Exception as exc:  # a bug: name its kind, never its text (it may hold a value)
            self._failed(exc)

    def _form(self) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
        """The form fields and uploaded files of the request body (urlencoded or multipart)."""
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            raise _RefusedError(HTTPStatus.BAD_REQUEST, "bad Content-Length") from None
        if length < 0 or length > MAX_UPLOAD:
            raise _RefusedError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "the file is too large")
        body = self.rfile.read(length)
        ctype = self.headers.get("Content-Type") or ""
        fields: dict[str, str] = {}
        files: dict[str, tuple[str, bytes]] = {}
        if ctype.startswith("multipart/form-data"):
            head = f"Content-Type: {ctype}\r\n\r\n".encode("latin-1", "replace")
            message = BytesParser(policy=HTTP).parsebytes(head + body)
            for part in message.iter_parts() if message.is_multipart() else ():
                name = part.get_param("name", header="content-disposition")
                if not isinstance(name, str):
                    continue
                payload = part.get_payload(decode=True)
                data = payload if isinstance(payload, bytes) else b""
                filename = part.get_filename()
                if filename is not None:
                    files[name] = (filename, data)
                else:
                    fields[name] = data.decode("utf-8", "replace")
        else:
            parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            fields = {k: v[0] for k, v in parsed.items()}
        return fields, files

    def _merge(self, form: Mapping[str, str]) -> None:
        """The chosen opened files merged (:func:`cxkit.compare.merge`) into a new file (CXF,
        in the private folder) that goes on as any upload: preview, destination, result."""
        from cxkit import adapters, compare

        app = self.server.app
        chosen = [
            j for k, j in app.jobs.items() if form.get(f"merge_{k}") == "yes" and j.doc is not None
        ]
        if len(chosen) < 2:
            raise _RefusedError(HTTPStatus.BAD_REQUEST, "choose two or more files to merge")
        result = compare.merge([(j.name, j.doc) for j in chosen])
        conflicts = f" Conflicts: {', '.join(c.item for c in result.conflicts[:20])}." if (
            result.conflicts
        ) else ""  # fmt: skip
        self._new_job(
            "merged.cxf.json",
            result.document.encode(),
            None,
            source_format=adapters.cxf_format(),
            note=result.summary() + "." + conflicts,
        )

    def _new_job(
        self,
        name: str,
        data: bytes,
        password: str | None,
        *,
        source_format: str = "",
        note: str = "",
        keyfile: bytes | None = None,
    ) -> None:
        app = self.server.app
        job_id = secrets.token_urlsafe(12)
        folder = app.folder / job_id
        folder.mkdir(mode=0o700)
        path = folder / "source"
        _private_file(path, data)
        job = _Job(name=name, path=path, password=password, source_format=source_format, note=note,
                   keyfile=keyfile)  # fmt: skip
        with app.lock:
            app.jobs[job_id] = job
        self._open(job_id, job)

    def _read(self, job: _Job) -> Any:
        from cxkit import adapters
        from cxkit.adapters import ReadOptions

        password = job.password
        options = ReadOptions(password=_given(password), keyfile=job.keyfile)
        doc, report = adapters.read(
            job.path.read_bytes(), job.name, source_format=job.source_format or None,
            options=options,
        )  # fmt: skip
        job.source_format = report.source_format
        return doc

    def _open(self, job_id: str, job: _Job) -> None:
        from cxkit.adapters import PasswordNeededError, detect, make_sample

        app = self.server.app
        if not job.source_format:
            job.source_format = detect(
                make_sample(job.path.read_bytes(), job.name)
            ).adapter.info.key
        try:
            doc = self._read(job)
        except PasswordNeededError:
            self._send(HTTPStatus.OK, _ask_password(app, job_id, job, wrong=False))
            return
        except CxkitError as exc:
            wrong = isinstance(exc, DecryptionError) or "password" in exc.message.lower()
            if (job.password is not None or job.keyfile is not None) and wrong:
                job.password = job.keyfile = None
                self._send(HTTPStatus.OK, _ask_password(app, job_id, job, wrong=True))
                return
            raise
        job.doc = doc
        self._send(HTTPStatus.OK, _preview(app, job_id, job, doc))

    def _diff(self, form: Mapping[str, str], files: Mapping[str, tuple[str, bytes]]) -> None:
        from cxkit import adapters, compare
        from cxkit.adapters import PasswordNeededError, ReadOptions

        loaded = []
        for which in ("old", "new"):
            name, data = files.get(which, ("", b""))
            if not data:
                raise _RefusedError(HTTPStatus.BAD_REQUEST, f"choose the {which} export first")
            secret = form.get(f"{which}_password") or None
            options = ReadOptions(password=_given(secret))
            name = Path(name).name or which
            try:
                doc, report = adapters.read(data, name, options=options)
            except PasswordNeededError:
                raise _RefusedError(
                    HTTPStatus.BAD_REQUEST, f"the {which} export is encrypted: give its password"
                ) from None
            loaded.append((name, report.source_format, doc, dict(options.attachments)))
        (old_name, old_fmt, old, attachments), (new_name, new_fmt, new, _) = loaded
        held, holds = compare.held_by_format(old, new_fmt, attachments)
        basis = f"{'round trip through' if held is not None else 'declared by'} {new_fmt}"
        result = compare.diff(old, new, held=held, holds=holds, basis=basis)
        page = _diff_page(self.server.app, (old_name, new_name), (old_fmt, new_fmt), result)
        self._send(HTTPStatus.OK, page)

    def _convert(self, form: Mapping[str, str], files: Mapping[str, tuple[str, bytes]]) -> None:
        """Check the form, start the conversion in a worker thread and send the browser to its
        progress page (POST → 303 → GET: a reload never converts twice)."""
        from cxkit import adapters
        from cxkit.adapters import Capability, MigrationReport

        app = self.server.app
        job_id = form.get("job", "")
        job = app.jobs.get(job_id)
        if job is None:
            raise _RefusedError(HTTPStatus.NOT_FOUND, "no such file; upload it again")
        if job.task is not None and not job.task.done.is_set():
            raise _RefusedError(HTTPStatus.CONFLICT, "this file is being converted already")
        writers = {k: (plain, ext) for k, _, plain, ext in _writers()}
        to = form.get("to", "")
        if to not in writers:
            raise _RefusedError(HTTPStatus.BAD_REQUEST, "choose a destination format")
        plain, ext = writers[to]
        if plain and form.get("plaintext") != "yes":
            raise _RefusedError(
                HTTPStatus.BAD_REQUEST,
                "that format is not encrypted: tick the box to say you understand, or choose "
                "an encrypted one",
            )
        new = form.get("new_password", "")
        keyfile = files.get("new_keyfile", ("", b""))[1] or None
        if keyfile is not None and to != "keepass-kdbx":
            raise _RefusedError(HTTPStatus.BAD_REQUEST, "a key file is for a KeePass database only")
        # a sealed archive without a passphrase is sealed with a generated recovery code
        sealable = adapters.get(to).info.can(Capability.RECOVERY_CODE)
        if not plain:
            if not new and not sealable and keyfile is None:
                raise _RefusedError(HTTPStatus.BAD_REQUEST, "give the new file a password")
            if new != form.get("new_password2", ""):
                raise _RefusedError(HTTPStatus.BAD_REQUEST, "the two passwords differ")
        task = _Task(report=MigrationReport())
        task.report.destination_format = to
        job.task = task
        threading.Thread(
            target=self._convert_work,
            args=(job_id, job, task, to, ext, new or None, keyfile),
            name="cxkit-ui-convert",
            daemon=True,
        ).start()
        self._send(HTTPStatus.SEE_OTHER, b"", headers={"Location": f"/progress/{job_id}"})

    def _convert_work(
        self,
        job_id: str,
        job: _Job,
        task: _Task,
        to: str,
        ext: str,
        new: str | None,
        keyfile: bytes | None,
    ) -> None:
        """The conversion (:func:`cxkit.adapters.convert`: read, every passkey verified, write,
        the TOTP proof), in the worker thread; its end and any failure go to *task*."""
        from cxkit import adapters
        from cxkit.adapters import Capability, ReadOptions, WriteOptions

        app = self.server.app
        codes: list[str] = []

        def progress(phase: str, _done: int, _total: int) -> None:
            task.phase = phase

        app.running[threading.get_ident()] = task
        try:
            conversion = adapters.convert(
                job.path.read_bytes(),
                job.name,
                to=to,
                source_format=job.source_format or None,
                read_options=ReadOptions(password=_given(job.password), keyfile=job.keyfile),
                write_options=WriteOptions(
                    password=_given(new), keyfile=keyfile, on_recovery_code=codes.append
                ),
                report=task.report,
                progress=progress,
            )
            if conversion.output is None:
                raise _RefusedError(HTTPStatus.INTERNAL_SERVER_ERROR, "nothing was written")
            report = task.report
            result_name = Path(job.name).stem.split(".")[0] + "-converted" + ext
            result = app.folder / job_id / result_name
            with contextlib.suppress(FileNotFoundError):
                result.unlink()
            _private_file(result, conversion.output)
            report.destination = result_name
            detached = adapters.get(to).info.can(Capability.DETACHED_ATTACHMENTS)
            if detached and conversion.attachments:
                report.warnings.append(
                    f"{len(conversion.attachments)} attachments were not saved: cxkit ui does "
                    "not write CXF attachment files yet (cxkit convert does)"
                )
            job.result, job.migration, job.report = result, report, None
            task.recovery_code = codes[0] if codes else ""
        except _RefusedError as r:
            task.error, task.failed_status = (r.why, ""), r.status
        except CxkitError as exc:
            task.error = (exc.message, exc.hint or "")
        except Exception as exc:  # a bug: its kind only, never its text (it may hold a value)
            app.log(f"error: {type(exc).__name__}")
            task.failed_status = HTTPStatus.INTERNAL_SERVER_ERROR
            task.error = (f"cxkit failed ({type(exc).__name__}); this is a bug in cxkit", "")
        finally:
            app.running.pop(threading.get_ident(), None)
            task.done.set()
