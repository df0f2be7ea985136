"""Check suites, one module per part; importing a module registers its checks (see registry)."""
