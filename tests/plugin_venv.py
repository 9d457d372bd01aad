"""A throwaway virtual environment for installing plugin packages during the test run.

Installing a package into the environment the tests run in would leave it there for
every later test. Instead each package goes into a new venv that sees the test
environment's packages (unionroll itself, pytest, setuptools) through a ``.pth`` file:
``venv --system-site-packages`` is not enough, because when the tests themselves run in a
venv it exposes the base interpreter's packages, not the venv's.

Nothing is downloaded: ``pip install --no-deps --no-build-isolation --no-index``.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "build", "*.egg-info", ".pytest_cache")


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the test run's own unionroll and pytest settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("UNIONROLL_", "PYTEST_", "COV_", "PYTHONHOME"))
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def _parent_site_dirs() -> list[str]:
    dirs = list(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    return [d for d in dict.fromkeys(dirs) if Path(d).is_dir()]


class PluginVenv:
    """A venv under ``root``; :meth:`install` copies a package and installs the copy."""

    def __init__(self, root: Path) -> None:
        self.root = root
        subprocess.run(
            [sys.executable, "-m", "venv", "--without-pip", str(root / "venv")],
            check=True,
            capture_output=True,
        )
        bindir = "Scripts" if os.name == "nt" else "bin"
        self.python = root / "venv" / bindir / ("python.exe" if os.name == "nt" else "python")
        purelib = self.run_python(
            "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        ).stdout.strip()
        lines = [f"import site; site.addsitedir({d!r})" for d in _parent_site_dirs()]
        Path(purelib, "_unionroll_test_parent.pth").write_text("\n".join(lines) + "\n")

    def run_python(
        self,
        *args: str,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        check: bool = True,
        timeout: float = 300,
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(self.python), *args],
            cwd=cwd,
            env=env or clean_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"{' '.join(args)} exited with {result.returncode}\n"
                f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
            )
        return result

    def install(self, *sources: Path) -> list[Path]:
        """Copy each package folder under the venv's root (so the build leaves nothing in
        the source tree) and install the copies; return the copies."""
        self.check_build_backend()
        copies = []
        for source in sources:
            copy = self.root / "src" / source.name
            shutil.copytree(source, copy, ignore=_IGNORE)
            copies.append(copy)
        self.run_python(
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--disable-pip-version-check",
            "-q",
            *map(str, copies),
        )
        return copies

    def check_build_backend(self) -> None:
        """``--no-build-isolation`` builds with the setuptools of the test environment,
        which must be able to build wheels (setuptools 70.1 or later, or wheel)."""
        probe = self.run_python(
            "-c",
            "import importlib.util as u; import setuptools; "
            "ok = u.find_spec('setuptools.command.bdist_wheel') or u.find_spec('wheel'); "
            "raise SystemExit(0 if ok else 1)",
            check=False,
        )
        if probe.returncode != 0:
            raise AssertionError(
                "installing plugin packages in the tests needs setuptools>=70.1 (or wheel) "
                "in the test environment: it is in the [test] extras of pyproject.toml\n"
                + probe.stderr
            )

    def pytest(self, package: Path, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a package's own tests with the venv's interpreter, importing the installed
        copy (``-P``: the package folder is not put on ``sys.path``). Their temporary
        files go under this venv's root, apart from the outer test run's."""
        basetemp = self.root / "pytest-tmp" / package.name
        basetemp.parent.mkdir(parents=True, exist_ok=True)
        return self.run_python(
            "-P",
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--basetemp={basetemp}",
            *args,
            cwd=package,
            check=False,
        )

    def unionroll(
        self, *args: str, load: str = "", cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``unionroll ARGS`` run by the venv's interpreter; ``load`` is
        UNIONROLL_LOAD_PLUGINS (empty: no installed plugin is loaded)."""
        env = clean_env(UNIONROLL_LOAD_PLUGINS=load)
        return self.run_python("-P", "-m", "unionroll", *args, cwd=cwd, env=env, check=False)
