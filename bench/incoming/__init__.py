"""Benchmark of the incoming-call webhook against a bare Flask endpoint (see bench/README.md).

    .venv/bin/python -m bench.incoming [--duration 20] [--connections 32] [--help]
"""
