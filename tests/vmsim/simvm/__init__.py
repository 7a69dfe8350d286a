"""The simulated Azure Linux VM: a Debian 12 tree with the real agent, a loopback-only emulator of
the Azure platform endpoints, the faults staged on it, and the wizard run inside (docs/vmsim.md)."""
