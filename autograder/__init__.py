"""optlab's grading harness: stub generation, check registry, sandboxed grading, reports.

Layout (one responsibility per module):
- parts.py     the lab's five parts and 28 tasks, as the contract names them
- strip.py     master sources (solutions/) -> student stubs (assignments/)
- loading.py   import a part module from a file the way Python imports it
- cli.py       the ``optgrade`` command; the only module that talks to the terminal
"""

__version__ = "0.1.0"
