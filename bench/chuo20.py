#!/usr/bin/env python3
"""Writes an offices file with the demo city's chuo and 20 counters k1..k20 that serve every procedure, for the
call-next workloads (bench/run.sh, bench/multinode.sh). Usage: bench/chuo20.py OUT.yaml"""
import sys

src = open("Sources/OfficeRuntime/Resources/demo-kumamoto.yaml").read().split("\n  - id: ")
chuo = "  - id: " + src[1]
head, _ = chuo.split("    counters:\n")
services = "[certificates, moving-in, moving-out, moving-within, my-number-card, family-register, seal-other]"
counters = "".join(f'      - {{id: k{i}, label: "{i}", services: {services}}}\n' for i in range(1, 21))
open(sys.argv[1], "w").write("offices:\n" + head + "    counters:\n" + counters)
