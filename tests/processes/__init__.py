"""Whole processes: crashes under SIGKILL, the command line, deployment, the fuzzer."""
