"""``python -m symgd``: the same as the ``symgd`` command."""

from .cli.core import main

raise SystemExit(main())
