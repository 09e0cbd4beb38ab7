"""What some tests need from Debian, checked where they run.

`make test` installs the Makefile's SYSTEM_PACKAGES when it can (as root with apt); where it
cannot, a test marked ``@needs("poppler-utils")`` skips and the summary (``-ra``) names the
package to install, as the browser tests do without chromium. In CI a missing package fails
the run before the tests start (``make system-packages`` with CI set), so nothing hides there.
"""

import ctypes.util
import shutil
from pathlib import Path

import pytest

NOTO_CJK = Path("/usr/share/fonts/opentype/noto")

# Debian package -> is what the tests use from it here?
PRESENT = {
    "poppler-utils": lambda: all(shutil.which(tool) for tool in ("pdffonts", "pdftotext", "pdftoppm")),
    "fonts-noto-cjk": lambda: any(NOTO_CJK.glob("Noto*CJK*.ttc")),
    "libpango-1.0-0": lambda: ctypes.util.find_library("pango-1.0") is not None,
}


def missing(*packages):
    return [package for package in packages if not PRESENT[package]()]


def needs(*packages):
    """Skip the test, naming the packages, where any of them is missing."""
    absent = missing(*packages)
    install = f"make system-packages as root, or apt-get install {' '.join(absent)}"
    return pytest.mark.skipif(bool(absent), reason=f"needs Debian's {', '.join(absent)} ({install})")
