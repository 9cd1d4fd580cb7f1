"""Built-in sample data: ``sample-vault.cxf.json`` (made by ``scripts/make_sample.py``)."""
