"""`python -m videos_contract` runs the command line."""

from videos_contract.cli import main

raise SystemExit(main())
