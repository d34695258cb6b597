"""ttgen: a typed code-generation compiler for Tenstorrent TT-NN op tests."""

__version__ = "0.1.0"
