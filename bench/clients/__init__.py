"""One module per client family.  Each exports:

    CLIENT    the family's name as printed
    VARIANTS  {bench: [variant, ...]}: what it can measure
    label(bench, variant, params) -> str: the row's label in the table
    run(bench, variant, params) -> dict: a common.result() or common.skipped()

run() is called inside a fresh worker process (bench/worker.py).  Benches:
"nn" = getFileInfo calls on one path.  Later milestones add "write", "read",
"pread", "small" next to it.
"""

MODULES = ("java", "hdfs_native_py", "hadoofus_py", "c_core", "go_cli")
