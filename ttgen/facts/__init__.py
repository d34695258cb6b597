"""Facts about ttnn 0.81.1 that the IR, the compiler and the emulator share, encoded once.
Standard library only: the lean runtime and emulator import this package."""
