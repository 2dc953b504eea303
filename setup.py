"""Build hook: bundle the web Cockpit (``web/``) into ``cadenza/web/static`` at build time.

Everything else about the package is declared in ``pyproject.toml``. When the bundle is missing
and npm is available, ``build_py`` (used by ``pip install .``, ``pip install -e .`` and wheel
builds) runs ``npm ci && npm run build`` in ``web/``, so the installed product serves the Cockpit
with no network access at run time. Without npm the package still builds; ``cadenza run`` then
answers ``/`` with a page that says how to build the Cockpit. ``CADENZA_SKIP_WEB_BUILD=1`` skips
the step; ``CADENZA_REBUILD_WEB=1`` rebuilds even when a bundle exists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
WEB = ROOT / "web"
BUNDLE = ROOT / "src" / "cadenza" / "web" / "static"


def _bundle_built() -> bool:
    return (BUNDLE / "index.html").is_file() and (BUNDLE / "app.js").is_file()


def build_cockpit(log: object = print) -> bool:
    """Run the npm build if it is needed and possible; True when a bundle is in place."""
    say = log if callable(log) else print
    if os.environ.get("CADENZA_SKIP_WEB_BUILD") == "1":
        return _bundle_built()
    if _bundle_built() and os.environ.get("CADENZA_REBUILD_WEB") != "1":
        return True
    npm = shutil.which("npm")
    if npm is None or not (WEB / "package.json").is_file():
        say(
            "cadenza: npm or web/ not found; the Cockpit bundle is not built (cadenza run serves a hint page)"
        )
        return _bundle_built()
    install = "ci" if (WEB / "package-lock.json").is_file() else "install"
    say(f"cadenza: building the Cockpit (npm {install} && npm run build in web/)")
    subprocess.run([npm, install, "--no-audit", "--no-fund"], cwd=WEB, check=True)
    subprocess.run([npm, "run", "build"], cwd=WEB, check=True)
    return _bundle_built()


class BuildPyWithCockpit(build_py):
    def run(self) -> None:
        build_cockpit(self.announce_info)
        super().run()

    def announce_info(self, message: str) -> None:
        self.announce(message, level=2)


setup(cmdclass={"build_py": BuildPyWithCockpit})
