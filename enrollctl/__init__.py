"""Local tooling: emulator, deploy, demo and inspection commands."""
