"""``python -m notify_schemas.authoring.compat OLD_DIR NEW_DIR``: the same as ``notify-schemas compat``."""

import sys

from notify_schemas.authoring.compat import main

sys.exit(main())
