"""`python -m vet_devtools.stack jars`: fetch the Kafka jars once (used by `make setup`)."""

import sys

from vet_devtools.stack.kafka import main

if __name__ == "__main__":
    if sys.argv[1:] != ["jars"]:
        print("usage: python -m vet_devtools.stack jars", file=sys.stderr)
        sys.exit(2)
    sys.exit(main())
