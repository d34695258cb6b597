"""Small models written against the ttnn API (through `ttgen.runtime`'s `ttnn`): what
`ttgen trace` records into traced_operations/. They run on the emulator and, unchanged, on the
real ttnn (on a mock device, where numerics are not checked)."""
