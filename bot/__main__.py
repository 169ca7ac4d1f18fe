"""`python -m bot` is `umkm-bot`."""

import sys

from bot.cli import main

sys.exit(main())
