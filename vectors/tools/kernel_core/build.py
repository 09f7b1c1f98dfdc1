#!/usr/bin/env python3
"""Writes vectors/kernel/{header-raw,special-header,pid,copy-handles,move-handles,sessions,user-buffer}.json.

Usage: python3 vectors/tools/kernel_core/build.py

The expectations are written out by hand in the modules next to this file, from
docs/spec/kernel-semantics.md; this script only assembles and formats them. It never
runs or simulates a kernel.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import header_raw  # noqa: E402
import special_pid  # noqa: E402
import handles  # noqa: E402
import sessions  # noqa: E402
import user_buffer  # noqa: E402
from common import emit  # noqa: E402

total = 0
total += emit("header-raw.json", header_raw.mk_tests())
total += emit("special-header.json", special_pid.special_header_file())
total += emit("pid.json", special_pid.pid_file())
total += emit("copy-handles.json", handles.copy_file())
total += emit("move-handles.json", handles.move_file())
total += emit("sessions.json", sessions.mk_tests())
total += emit("user-buffer.json", user_buffer.mk_tests())
print("total: %d tests" % total)
