"""python -m hadoofus: the command line tool (hadoofus.cli)."""

import sys

from .cli import main

sys.exit(main())
