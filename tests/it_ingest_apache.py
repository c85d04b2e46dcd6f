#!/usr/bin/env python3
"""The ingest pipeline through apache: LiteLLM callbacks over real HTTP into a
private MariaDB (see ingest_checks.py for what is checked)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ingest_checks  # noqa: E402

ingest_checks.run("apache")
