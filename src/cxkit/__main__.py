"""``python -m cxkit`` runs the command line."""

from cxkit.cli.main import main

raise SystemExit(main())
