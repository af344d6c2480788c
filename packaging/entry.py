"""The frozen program's entry point (PyInstaller runs this file as __main__)."""

import multiprocessing

multiprocessing.freeze_support()  # a feed's process starts as this program: run just that

from dashboard.cli import main  # noqa: E402 - after freeze_support, which may not return

raise SystemExit(main())
