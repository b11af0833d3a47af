import sys

from d2lref.book.cli import main

sys.exit(main())
