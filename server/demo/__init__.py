"""Demo city (济南市): generated register rows (generate.py) and loading them through the import (load.py)."""
