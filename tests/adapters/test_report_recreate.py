"""The list of passkeys that cannot travel (issue #13): every passkey a source names without its
private key, and every passkey a destination cannot hold, is named by site and account at the
end of the report, so the user knows where to create a new one."""

from __future__ import annotations

from importlib import resources

from cxkit import adapters
from cxkit.adapters.kit.builder import ItemBuilder, Val
from cxkit.adapters.report import MigrationReport, Outcome


def _sample() -> bytes:
    return resources.files("cxkit.samples").joinpath("sample-vault.cxf.json").read_bytes()


def test_a_destination_without_passkeys_lists_each_site() -> None:
    report = MigrationReport()
    conversion = adapters.convert(_sample(), "vault.cxf.json", to="keepassxc-csv", report=report)
    passkeys = [
        c
        for a in conversion.document.accounts
        for i in a.items
        for c in i.credentials
        if type(c).__name__ == "Passkey"
    ]
    assert passkeys, "the built-in sample has passkeys"
    lost = report.passkeys_to_recreate
    assert sorted((p["rp_id"], p["username"]) for p in lost) == sorted(
        (p.rp_id, p.username) for p in passkeys
    )
    assert all("keepassxc-csv cannot hold it" in p["why"] for p in lost)
    text = report.render()
    assert f"passkeys that cannot travel ({len(lost)})" in text
    for p in passkeys:
        assert p.rp_id in text
    assert report.to_json()["passkeys"]["to_recreate"] == lost


def test_a_destination_holding_passkeys_lists_none() -> None:
    report = MigrationReport()
    adapters.convert(_sample(), "vault.cxf.json", to="cxf-json", report=report)
    assert report.passkeys_to_recreate == []
    assert "cannot travel" not in report.render()


def test_a_source_naming_a_passkey_without_its_key() -> None:
    report = MigrationReport()
    b = ItemBuilder(report, "x.json:", item_id="AAAA", title="Forge")
    b.lost_passkey(Val("passkey", "items[0].passkey"), rp_id="forge.example", username="ann")
    item = b.finish()
    assert item is not None and item.credentials == ()
    assert report.passkeys_to_recreate == [
        {
            "item": "Forge",
            "rp_id": "forge.example",
            "username": "ann",
            "why": "the export does not hold the passkey's private key",
        }
    ]
    (record,) = [r for r in report.fields if r.path.endswith("items[0].passkey")]
    assert str(record.disposition) == "not-carried"
    summary = report.credential_summary()["passkey"]
    assert summary["not_carried"] == 1 and summary["carried"] == 0
    assert [c.outcome for c in report.credentials] == [Outcome.NOT_CARRIED]
