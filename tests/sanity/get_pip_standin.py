"""Stand-in for the get-pip script that ansible-test downloads from its own file server (not
reachable here); tests/sanity/run copies it into ansible-test's cache.

ansible-test --venv runs this file (via its quiet_pip.py wrapper) inside a fresh
`python -m venv --without-pip` environment with argv = pip options + packages (e.g. 'pip==24.2').
It bootstraps the interpreter's bundled pip with ensurepip (offline), then lets that pip install
the exact, pinned packages ansible-test asked for from PyPI.
Installed as ~/.ansible/test/cache/get_pip_<version with _>.py, e.g. get_pip_24_2.py.
"""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--quiet'] + args)  # errors still show
