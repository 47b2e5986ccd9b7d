"""sdrapport: reproducible reports for the Dutch sociaal domein (Wmo, Jeugdwet, Participatiewet)."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sdrapport")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0+onbekend"

from sdrapport.presentation.report import Rapport, Waarde

__all__ = ["Rapport", "Waarde", "__version__"]
