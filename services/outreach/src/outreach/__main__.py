"""`python -m outreach api|worker|rebuild`."""

import sys

from outreach.service import definition
from vet_common.entrypoint import run

sys.exit(run(definition))
