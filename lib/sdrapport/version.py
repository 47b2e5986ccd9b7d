"""The installed version of sdrapport, in a module of its own so that any layer can read it
without importing the package's face (which imports the presentation layer)."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sdrapport")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0+onbekend"
