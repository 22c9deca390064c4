"""``python -m gradgate``: the same as the ``gradgate`` command."""

import sys

from . import main

sys.exit(main())
