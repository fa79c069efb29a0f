import sys

from .long_range import main

sys.exit(main())
