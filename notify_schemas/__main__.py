"""``python -m notify_schemas``: the same as the ``notify-schemas`` command."""

import sys

from notify_schemas.cli import main

sys.exit(main())
