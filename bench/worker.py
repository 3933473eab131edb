"""One client in this (fresh) process, driven by bench/run.py over the line
protocol described in bench/common.py.

    python bench/worker.py CLIENT_MODULE BENCH VARIANT PARAMS_JSON

Not meant to be run by hand, though it can be (type "ROUND 1000", "EXIT").
"""

import importlib
import json
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import Skip, emit  # noqa: E402


def main(argv):
    modname, bench, variant, params = argv[1], argv[2], argv[3], json.loads(argv[4])
    mod = importlib.import_module("clients." + modname)
    res = {"client": mod.CLIENT, "variant": variant,
           "label": mod.label(bench, variant, params)}
    try:
        session = mod.session(bench, variant, params)
        session.warmup()
    except Skip as e:
        emit("RESULT", dict(res, skipped=str(e)))
        return
    except Exception as e:  # reported, not raised: the other clients go on
        traceback.print_exc()
        emit("RESULT", dict(res, error="%s: %s" % (type(e).__name__, e)))
        return
    emit("READY")
    try:
        for line in sys.stdin:
            cmd = line.split()
            if not cmd:
                continue
            if cmd[0] == "ROUND":
                emit("ROUND", session.round(int(cmd[1])))
            elif cmd[0] == "EXIT":
                break
        info = session.close()
    except Exception as e:
        traceback.print_exc()
        emit("RESULT", dict(res, error="%s: %s" % (type(e).__name__, e)))
        return
    res["label"] = info.pop("label", res["label"])
    emit("RESULT", dict(res, info=info))


if __name__ == "__main__":
    main(sys.argv)
