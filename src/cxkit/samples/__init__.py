"""Built-in sample data: ``sample-vault.cxf.json`` (made by ``scripts/make_sample.py``) and the
Bitwarden export ``sample-bitwarden.json`` (made by ``scripts/make_bitwarden_sample.py``)."""
