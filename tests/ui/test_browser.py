"""``cxkit ui`` end to end in a real headless Chromium, driven by Playwright (issue 19).

Debian's ``chromium`` (``.ci/run`` installs it; elsewhere these tests skip with the reason) is
launched by Playwright through ``executable_path`` — no browser download. Each test clicks (or
types) through the pages as a person would and asserts on what the page says (text, roles,
labels), never on pixels. A screenshot of every step goes to ``test-artifacts/ui/`` (gitignored;
``.ci/run`` prints where).
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from ui_canaries import scrub

from cxkit.ui.server import UiServer, make_server

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"
#: Flags that work as root in a closed network (no sandbox: Chromium refuses it as root).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
NEW_PASSWORD = "Browser-Test-Passw0rd"

if CHROMIUM is None:
    pytest.skip("no chromium installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
expect = sync_api.expect
expect.set_options(timeout=30_000)  # a loaded machine: generous, the checks are on content


def _sample() -> tuple[bytes, dict[str, Any]]:
    raw = files("cxkit.samples").joinpath("sample-bitwarden.json").read_bytes()
    return raw, json.loads(raw)


def _secrets_of(sample: dict[str, Any]) -> list[str]:
    """The sample's passwords, TOTP seeds, card numbers: none may be on a page unless revealed."""
    out = []
    for item in sample["items"]:
        login = item.get("login") or {}
        out += [login.get("password"), login.get("totp")]
        out += [(item.get("card") or {}).get("number"), (item.get("card") or {}).get("code")]
    return [s for s in out if s]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(autouse=True)
def _close_contexts(browser: Any) -> Iterator[None]:
    """Each test's browser contexts (cookies, downloads) are closed after it."""
    yield
    for context in list(browser.contexts):
        context.close()


@pytest.fixture
def ui() -> Iterator[UiServer]:
    logs: list[str] = []
    srv = make_server(log=logs.append)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        thread.join()
        srv.server_close()
        srv.app.cleanup()
    for line in logs:
        assert srv.app.token not in line and NEW_PASSWORD not in line


Shot = Callable[[Any, str], None]


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Shot:
    """``shot(page, "step")``: a full-page PNG as test-artifacts/ui/<test>-NN-step.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    test = request.node.name.removeprefix("test_").replace("[", "-").rstrip("]")
    for old in SHOTS.glob(f"{test}-*.png"):
        old.unlink()
    count = [0]

    def take(page: Any, step: str) -> None:
        count[0] += 1
        page.screenshot(path=str(SHOTS / f"{test}-{count[0]:02d}-{step}.png"), full_page=True)

    return take


def _page(browser: Any, srv: UiServer, **context: Any) -> Any:
    ctx = browser.new_context(accept_downloads=True, **context)
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(srv.url)
    expect(page.get_by_role("heading", name="Migrate a vault")).to_be_visible()
    assert "token" not in page.url  # the one-time link was traded for a cookie
    return page


def _no_secret(page: Any, secrets: list[str], ui: UiServer) -> None:
    html = scrub(page.content(), ui.app)  # a CSRF token or job id may hold "123" (the CVV)
    for secret in secrets:
        assert secret not in html


def test_migrate_the_sample_to_kdbx(browser: Any, ui: UiServer, shot: Shot, tmp_path: Path) -> None:
    """Choose the sample → its detected format and a preview with every secret masked →
    KeePass and a password → the result: the report page and the download, opened with
    pykeepass."""
    pykeepass = pytest.importorskip("pykeepass")
    _, sample = _sample()
    secrets = _secrets_of(sample)
    page = _page(browser, ui)
    shot(page, "home")
    page.get_by_role("button", name="Try it with the built-in sample vault").click()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    expect(page.get_by_text("bitwarden-json")).to_be_visible()
    counts = page.get_by_role("table", name="Credentials per type")
    expect(counts.get_by_role("row", name=re.compile(r"basic-auth 2"))).to_be_visible()
    items = page.get_by_role("table", name="Items (secrets masked)")
    expect(items.get_by_role("row")).to_have_count(1 + len(sample["items"]))
    expect(items.get_by_role("cell", name="Code Forge", exact=True)).to_be_visible()
    _no_secret(page, secrets, ui)
    shot(page, "preview")
    expect(page.get_by_label("Destination format")).to_have_value("keepass-kdbx")
    page.get_by_label("Password of the new file").fill(NEW_PASSWORD)
    page.get_by_label("The same password again").fill(NEW_PASSWORD)
    shot(page, "destination")
    page.get_by_role("button", name="Convert").click()
    expect(page.get_by_role("heading", name="Done")).to_be_visible()
    expect(page.get_by_text(re.compile(r"5 items written as keepass-kdbx"))).to_be_visible()
    _no_secret(page, secrets, ui)
    shot(page, "done")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download sample-bitwarden-converted.kdbx").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    db = pykeepass.PyKeePass(str(saved), password=NEW_PASSWORD)
    forge = next(e for e in db.entries if e.title == "Code Forge")
    assert forge.password == "Sample-Pa55word!"
    page.get_by_role("link", name="Open the migration report").click()
    expect(page.get_by_role("heading", name=re.compile("Migration report"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"give the same codes")).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"rows shown"))).to_be_visible()  # its script ran
    _no_secret(page, secrets, ui)
    shot(page, "report")


def test_seal_then_open_the_archive_and_reveal_one_secret(
    browser: Any, ui: UiServer, shot: Shot, tmp_path: Path
) -> None:
    """Seal the sample with a generated recovery code, then, as the executor: upload the
    archive, open it with the code, search, show one item's fields (all masked), reveal one,
    copy it (the CSP-hashed script)."""
    _, sample = _sample()
    secrets = _secrets_of(sample)
    page = _page(browser, ui)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Try it with the built-in sample vault").click()
    page.get_by_label("Destination format").select_option("cxkit-sealed")
    shot(page, "seal")
    page.get_by_role("button", name="Convert").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("shown only this once")
    code = alert.locator("code").inner_text().strip()
    shot(page, "recovery-code")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^Download ")).click()
    sealed = tmp_path / download.value.suggested_filename
    download.value.save_as(sealed)
    page.reload()  # the code is shown once
    expect(page.get_by_role("heading", name="Done")).to_be_visible()
    assert code not in page.content()

    page.get_by_role("link", name="Migrate another file").click()
    page.get_by_label("Export file").set_input_files(str(sealed))
    page.get_by_role("button", name="Read it").click()
    expect(page.get_by_role("heading", name="Password needed")).to_be_visible()
    shot(page, "archive-password")
    page.get_by_label("Its password (or recovery code)").fill(code)
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    expect(page.get_by_text("cxkit-sealed")).to_be_visible()
    page.get_by_role("searchbox", name="Search items by title").fill("forge")
    page.get_by_role("button", name="Search").click()
    items = page.get_by_role("table", name="Items (secrets masked)")
    expect(items.get_by_role("row")).to_have_count(2)
    expect(items.get_by_role("cell", name="Code Forge", exact=True)).to_be_visible()
    _no_secret(page, secrets, ui)
    shot(page, "archive-search")
    page.get_by_role("button", name="Show the fields of Code Forge").click()
    expect(page.get_by_role("heading", name="Code Forge")).to_be_visible()
    expect(page.get_by_role("button", name="Reveal basic-auth password")).to_be_visible()
    _no_secret(page, secrets, ui)
    shot(page, "item-fields-masked")
    page.get_by_role("button", name="Reveal basic-auth password").click()
    expect(page.get_by_role("code").or_(page.locator("#secret"))).to_have_text("Sample-Pa55word!")
    assert "JBSWY3DPEHPK3PXP" not in page.content()  # one field only, not the TOTP seed
    copy = page.get_by_role("button", name="Copy")
    expect(copy).to_be_visible()  # the script ran under the page's policy and showed it
    copy.click()
    expect(page.get_by_role("status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == "Sample-Pa55word!"
    shot(page, "revealed-and-copied")
    page.get_by_role("button", name="Hide and go back to the items").click()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    _no_secret(page, secrets, ui)


def test_a_keepass_database_with_a_key_file(
    browser: Any, ui: UiServer, shot: Shot, tmp_path: Path
) -> None:
    """A KeePass database that needs a key file: uploaded with its password and key file from
    the first form, it opens to its preview."""
    from cxkit import adapters
    from cxkit.adapters import WriteOptions

    raw, sample = _sample()
    doc, _ = adapters.read(raw, "bitwarden.json")
    key = bytes(range(3, 131))
    kdbx, _ = adapters.write(doc, "keepass-kdbx", options=WriteOptions(
        password=lambda _p: "kf-Passw0rd", keyfile=key))  # fmt: skip
    (tmp_path / "vault.kdbx").write_bytes(kdbx)
    (tmp_path / "vault.keyx").write_bytes(key)
    page = _page(browser, ui)
    page.get_by_label("Export file").set_input_files(str(tmp_path / "vault.kdbx"))
    page.get_by_label("Its password (only if it is encrypted)").fill("kf-Passw0rd")
    page.get_by_label("KeePass key file (only if the database uses one)").set_input_files(
        str(tmp_path / "vault.keyx")
    )
    shot(page, "upload-with-key-file")
    page.get_by_role("button", name="Read it").click()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    expect(page.get_by_text("keepass-kdbx").first).to_be_visible()
    items = page.get_by_role("table", name="Items (secrets masked)")
    expect(items.get_by_role("cell", name="Code Forge", exact=True)).to_be_visible()
    _no_secret(page, [*_secrets_of(sample), "kf-Passw0rd"], ui)
    shot(page, "preview")


def test_diff_of_two_exports(browser: Any, ui: UiServer, shot: Shot, tmp_path: Path) -> None:
    from cxkit import adapters

    raw, sample = _sample()
    doc, _ = adapters.read(raw, "bitwarden.json")
    csv, _ = adapters.write(doc, "chrome-csv")
    (tmp_path / "bitwarden.json").write_bytes(raw)
    (tmp_path / "chrome.csv").write_bytes(csv)
    page = _page(browser, ui)
    page.get_by_label("The old export").set_input_files(str(tmp_path / "bitwarden.json"))
    page.get_by_label("The new export").set_input_files(str(tmp_path / "chrome.csv"))
    shot(page, "diff-form")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", name="Comparison")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("items arrived")
    expect(
        page.get_by_text("bitwarden.json (bitwarden-json) → chrome.csv (chrome-csv)")
    ).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("cannot hold them"))).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Travel card")).to_be_visible()
    _no_secret(page, _secrets_of(sample), ui)
    shot(page, "diff")


def test_the_progress_page_refreshes_itself_to_the_result(
    browser: Any, ui: UiServer, shot: Shot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A conversion that takes a while: the browser shows its progress page (the report's
    counters), which reloads itself under the page's policy (no script) until the result."""
    from cxkit import adapters

    real, release = adapters.convert, threading.Event()

    def slow(*args: Any, **kwargs: Any) -> Any:
        from cxkit import _kdfcost

        kwargs["progress"]("verify", 0, 0)
        kwargs["report"].items_read = 5
        _kdfcost.announce("Argon2id", memory_kib=1 << 20, iterations=10)
        assert release.wait(120)
        return real(*args, **kwargs)

    monkeypatch.setattr(adapters, "convert", slow)
    page = _page(browser, ui)
    page.get_by_role("button", name="Try it with the built-in sample vault").click()
    page.get_by_label("Password of the new file").fill(NEW_PASSWORD)
    page.get_by_label("The same password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Convert").click()
    expect(page.get_by_role("heading", name="Converting")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("checking every passkey")
    expect(page.get_by_text("items read: 5")).to_be_visible()
    expect(page.get_by_text(re.compile(r"deriving the key \(Argon2id, 1 GiB"))).to_be_visible()
    shot(page, "progress")
    release.set()
    expect(page.get_by_role("heading", name="Done")).to_be_visible()  # no click: it refreshed
    shot(page, "done")


def _tab_to(page: Any, name: str, limit: int = 60) -> None:
    """Press Tab until the focused control's accessible text is *name* (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const e = document.activeElement; if (!e) return '';"
            " if (e.labels && e.labels.length) return e.labels[0].textContent.trim();"
            " return (e.getAttribute('aria-label') || e.textContent || '').trim(); })()"
        )
        if focused == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_the_migration_with_the_keyboard_only(
    browser: Any, ui: UiServer, shot: Shot, tmp_path: Path
) -> None:
    """Tab, Enter and typing only: the sample → KeePass → its download."""
    pykeepass = pytest.importorskip("pykeepass")
    page = _page(browser, ui)
    _tab_to(page, "Try it with the built-in sample vault")
    shot(page, "focus-on-sample")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    _tab_to(
        page, "Password of the new file (a sealed archive left without one gets a recovery code)"
    )
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(NEW_PASSWORD)
    _tab_to(page, "Convert")
    shot(page, "focus-on-convert")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Done")).to_be_visible()
    _tab_to(page, "Download sample-bitwarden-converted.kdbx")
    shot(page, "focus-on-download")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    saved = tmp_path / "k.kdbx"
    download.value.save_as(saved)
    assert "Code Forge" in {e.title for e in pykeepass.PyKeePass(str(saved), NEW_PASSWORD).entries}


_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const cut = [...document.querySelectorAll('a, button, input, select, label, h1, h2, p, td, th')]
    .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > width + 1)
    .map(e => e.tagName + ':' + (e.id || e.name || e.textContent.trim().slice(0, 40)));
  return {scroll: document.documentElement.scrollWidth, width, cut};
}"""


def _fits(page: Any) -> None:
    fit = page.evaluate(_OVERFLOW)
    assert fit["cut"] == [] and fit["scroll"] <= fit["width"], (page.url, fit)


def test_the_main_pages_at_200_percent_zoom(browser: Any, ui: UiServer, shot: Shot) -> None:
    """A 1280×800 window at 200 % is a 640×400 CSS-pixel viewport (drawn at device scale 2):
    no control cut off, no horizontal scroll, on every main page."""
    page = _page(browser, ui, viewport={"width": 640, "height": 400}, device_scale_factor=2)
    _fits(page)
    shot(page, "home")
    page.get_by_role("button", name="Try it with the built-in sample vault").click()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    _fits(page)
    shot(page, "preview")
    page.get_by_role("button", name="Show the fields of Code Forge").click()
    expect(page.get_by_role("heading", name="Code Forge")).to_be_visible()
    _fits(page)
    shot(page, "fields")
    page.get_by_role("button", name="Hide and go back to the items").click()
    page.get_by_label("Password of the new file").fill(NEW_PASSWORD)
    page.get_by_label("The same password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Convert").click()
    expect(page.get_by_role("heading", name="Done")).to_be_visible()
    _fits(page)
    shot(page, "done")
    page.get_by_role("link", name="Open the migration report").click()
    expect(page.get_by_role("heading", name=re.compile("Migration report"))).to_be_visible()
    _fits(page)
    shot(page, "report")


def test_dark_theme(browser: Any, ui: UiServer, shot: Shot) -> None:
    """``prefers-color-scheme: dark``: the pages turn dark (their computed colours, not pixels)."""
    page = _page(browser, ui, color_scheme="dark")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(20, 21, 24)"
    shot(page, "home")
    page.get_by_role("button", name="Try it with the built-in sample vault").click()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    shot(page, "preview")
    page.emulate_media(color_scheme="light")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(255, 255, 255)"
    shot(page, "preview-light")


class _Evil(BaseHTTPRequestHandler):
    """Another site on this machine (another loopback port): a page whose script posts a form
    to cxkit ui — with the right CSRF token even, as if it had leaked."""

    target = ""
    csrf = ""

    def do_GET(self) -> None:
        body = (
            f'<form id="f" method="post" action="{self.target}/stop">'
            f'<input name="csrf" value="{self.csrf}"></form>'
            "<script>document.getElementById('f').submit()</script>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_cross_site_form_post_is_refused(browser: Any, ui: UiServer, shot: Shot) -> None:
    page = _page(browser, ui)
    _Evil.target, _Evil.csrf = f"http://127.0.0.1:{ui.port}", ui.app.csrf
    evil = HTTPServer(("127.0.0.1", 0), _Evil)
    thread = threading.Thread(target=evil.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        page.goto(f"http://127.0.0.1:{evil.server_address[1]}/")
        expect(page.get_by_role("heading", name="Refused")).to_be_visible()
        expect(page.get_by_role("alert")).to_have_text("a request from another site was refused")
        shot(page, "refused")
    finally:
        evil.shutdown()
        thread.join()
        evil.server_close()
    assert not ui.app.stopping.is_set()
    page.goto(f"http://127.0.0.1:{ui.port}/")  # the session itself still works
    expect(page.get_by_role("heading", name="Migrate a vault")).to_be_visible()
