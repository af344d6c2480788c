"""The frozen program's entry point (PyInstaller runs this file as __main__)."""

from dashboard.cli import main

raise SystemExit(main())
