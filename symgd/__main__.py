"""``python -m symgd``: the same as the ``symgd`` command."""

from .cli import main

raise SystemExit(main())
