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
"proc" for one-process clients), one op = one whole read; "write" =
variant "file": one op = params["write_size"] bytes into params["write_dir"]/file
(overwritten) at params["replication"], and "small": one op = a new file of
write_size bytes (create + write + close).
"""

MODULES = ("java", "hdfs_native_py", "hadoofus_py", "c_core", "libhdfs_c", "go_cli")
