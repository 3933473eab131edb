// NameNode benchmark for the stock Java client (hadoop-hdfs of the cluster):
// FileSystem.getFileStatus() calls on one path, one after another, after a
// warm-up that lets the JIT compile the client's hot path.
//
// Usage: java -cp OUT:CONF_DIR:JARS/* NnBench URI PATH WARMUP NN_PID
//
// Driven over stdin/stdout by bench/clients/java.py (protocol in
// bench/common.py): prints READY after the warm-up; "ROUND N" times N calls
// and prints one JSON line; "EXIT" prints the versions as JSON and exits.
// NN_PID (0 = none) is the NameNode's pid on this machine: its CPU time is
// read from /proc/PID/stat around each round, so the server's cost shows too.
import java.net.URI;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

public class NnBench {
    private static long sink;

    static void calls(FileSystem fs, Path path, long n) throws Exception {
        for (long i = 0; i < n; i++) {
            FileStatus st = fs.getFileStatus(path);
            sink += st.getLen();
        }
    }

    public static void main(String[] a) throws Exception {
        URI uri = new URI(a[0]);
        Path path = new Path(a[1]);
        long warmup = Long.parseLong(a[2]);
        long nnPid = Long.parseLong(a[3]);

        FileSystem fs = FileSystem.get(uri, new Configuration());
        calls(fs, path, warmup);
        BenchLoop.serve(n -> calls(fs, path, n), nnPid);
        BenchLoop.printVersions(", \"sink\": " + sink);
        fs.close();
    }
}
