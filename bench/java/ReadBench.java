// File read benchmark for the stock Java client: whole-file reads through
// one FSDataInputStream (DFSInputStream), after a warm-up that lets the JIT
// compile the read path.
//
// Usage: java -cp OUT:CONF_DIR:JARS/* ReadBench URI PATH CHUNK THREADS WARMUP
//
// THREADS 0: sequential read(byte[]) into one reused CHUNK-byte array from
// the start to the end. THREADS T > 0: T threads share the stream, each
// reading its 1/T of the file with positional read(long, byte[], int, int)
// (DFSInputStream's pread) in CHUNK pieces.
//
// Driven over stdin/stdout by bench/clients/java.py (protocol in
// bench/common.py): prints READY after the warm-up; "ROUND N" times N whole
// reads and prints one JSON line (ops = N); "EXIT" prints the versions.
import java.net.URI;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

public class ReadBench {
    private static volatile long sink;

    static void readOnce(FSDataInputStream in, long length, int chunk, int threads,
                         byte[][] bufs) throws Exception {
        if (threads == 0) {
            in.seek(0);
            long total = 0;
            int n;
            while ((n = in.read(bufs[0], 0, chunk)) > 0) {
                total += n;
                sink += bufs[0][0];
            }
            if (total != length)
                throw new IllegalStateException("read " + total + " of " + length);
            return;
        }
        Thread[] ts = new Thread[threads];
        final Exception[] err = new Exception[1];
        long share = length / threads;
        for (int i = 0; i < threads; i++) {
            final long off = share * i;
            final long len = i == threads - 1 ? length - off : share;
            final byte[] buf = bufs[i];
            ts[i] = new Thread(() -> {
                try {
                    long done = 0;
                    while (done < len) {
                        int want = (int) Math.min(chunk, len - done);
                        in.readFully(off + done, buf, 0, want);
                        sink += buf[0];
                        done += want;
                    }
                } catch (Exception e) {
                    err[0] = e;
                }
            });
            ts[i].start();
        }
        for (Thread t : ts)
            t.join();
        if (err[0] != null)
            throw err[0];
    }

    public static void main(String[] a) throws Exception {
        URI uri = new URI(a[0]);
        Path path = new Path(a[1]);
        int chunk = Integer.parseInt(a[2]);
        int threads = Integer.parseInt(a[3]);
        long warmup = Long.parseLong(a[4]);

        FileSystem fs = FileSystem.get(uri, new Configuration());
        long length = fs.getFileStatus(path).getLen();
        FSDataInputStream in = fs.open(path);
        byte[][] bufs = new byte[Math.max(threads, 1)][chunk];
        for (long i = 0; i < warmup; i++)
            readOnce(in, length, chunk, threads, bufs);
        BenchLoop.serve(n -> {
            for (long i = 0; i < n; i++)
                readOnce(in, length, chunk, threads, bufs);
        }, 0);
        BenchLoop.printVersions(", \"sink\": " + sink);
        in.close();
        fs.close();
    }
}
