#!/usr/bin/env python3
"""Regenerate everything derived: compiled schema validators, the config's types and
defaults, golden manifests and the Helm chart's golden renders.

    python scripts/regen.py

Review `git diff` afterwards: a golden diff is a behaviour change a user will see.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import gen_config_types  # noqa: E402
import gen_k8s_schema  # noqa: E402
import gen_validators  # noqa: E402

from tests import goldens, test_chart  # noqa: E402


def main() -> int:
    gen_validators.main()
    gen_config_types.main()
    gen_k8s_schema.main()
    print("validators, config types, Kubernetes schema: kubeclip/renderer/_generated/",
          file=sys.stderr)
    for name in goldens.regenerate():
        print(f"golden: tests/golden/{name}/expected.yaml", file=sys.stderr)
    try:
        for path in test_chart.regenerate():
            print(f"golden: {path}", file=sys.stderr)
    except test_chart.HelmUnavailable as e:
        print(f"chart goldens skipped: {e}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
