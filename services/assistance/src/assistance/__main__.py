"""`python -m assistance api|worker|rebuild`."""

import sys

from assistance.service import definition
from vet_common.entrypoint import run

sys.exit(run(definition))
