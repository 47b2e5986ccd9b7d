"""sdrapport: reproducible reports for the Dutch sociaal domein (Wmo, Jeugdwet, Participatiewet)."""
from sdrapport.version import __version__
from sdrapport.presentation.report import Rapport, Waarde

__all__ = ["Rapport", "Waarde", "__version__"]
