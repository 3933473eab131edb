"""One module per client family.  Each exports:

    CLIENT    the family's name as printed and as given to --clients
    VARIANTS  {bench: [variant, ...]}: what it can measure
    label(bench, variant, params) -> str: the row's label in the table
    session(bench, variant, params) -> a session (common.LoopSession or
              common.ChildSession); raises common.Skip when the client
              cannot run here
    prepare(params) -> None or an error message  (optional: one-time work
              such as compiling, done by run.py before any worker starts)

session() is called inside a fresh worker process (bench/worker.py).  Benches:
"nn" = getFileInfo calls on one path; "read" = whole-file reads of
params["read_path"] (variants "seq", "pread" with params["threads"], and
"proc" for one-process clients), one op = one whole read.  Later milestones
add "write", "small" next to them.
"""

MODULES = ("java", "hdfs_native_py", "hadoofus_py", "c_core", "go_cli")
