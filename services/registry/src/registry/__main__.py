"""`python -m registry api|worker|rebuild`."""

import sys

from registry.service import definition
from vet_common.entrypoint import run

sys.exit(run(definition))
