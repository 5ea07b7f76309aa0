"""The ``magpie`` command (``main``), its console output (``console``) and benchmarks (``bench``,
``loadbench``)."""
