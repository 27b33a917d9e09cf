#!/usr/bin/env python3
"""ExecStartPost of the SGLang unit: return once URL answers 200, so that `started` means
`answering`. systemd's TimeoutStartSec bounds the wait (model loads take minutes)."""
import sys
import time
import urllib.request

url = sys.argv[1]
while True:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            if response.status == 200:
                sys.exit(0)
    except Exception:  # a 503 while loading, a refused connection before the port opens
        pass
    time.sleep(5)
