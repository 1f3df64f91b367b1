"""`python -m reporting api|worker|rebuild`."""

import sys

from reporting.service import definition
from vet_common.entrypoint import run

sys.exit(run(definition))
