"""Run one measurement in this (fresh) process and print its JSON result.

    python bench/worker.py CLIENT_MODULE BENCH VARIANT PARAMS_JSON

Started by bench/run.py; not meant to be run by hand, though it can be.
"""

import importlib
import json
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import emit  # noqa: E402


def main(argv):
    modname, bench, variant, params = argv[1], argv[2], argv[3], json.loads(argv[4])
    mod = importlib.import_module("clients." + modname)
    try:
        res = mod.run(bench, variant, params)
    except Exception as e:  # reported, not raised: the other clients go on
        traceback.print_exc()
        res = {"client": mod.CLIENT, "variant": variant,
               "label": mod.label(bench, variant, params),
               "error": "%s: %s" % (type(e).__name__, e)}
    emit(res)


if __name__ == "__main__":
    main(sys.argv)
