// File write benchmark for the stock Java client: FileSystem.create +
// write(byte[]) + close (DFSOutputStream), after a warm-up that lets the
// JIT compile the write path.
//
// Usage: java -cp OUT:CONF_DIR:JARS/* WriteBench URI DIR MODE SIZE REPLICATION CHUNK WARMUP
//
// MODE "file": one op = DIR/file (overwritten) of SIZE bytes written in
// CHUNK-byte writes of one reused buffer. MODE "small": one op = a new
// file DIR/s<i> of SIZE bytes (one write). Files are created with
// REPLICATION and 128 MiB blocks; DIR is deleted at EXIT.
//
// Driven over stdin/stdout by bench/clients/java.py (protocol in
// bench/common.py): prints READY after the warm-up; "ROUND N" times N ops
// and prints one JSON line (ops = N); "EXIT" prints the versions.
import java.net.URI;
import java.util.Random;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

public class WriteBench {
    static final long BLOCK = 128L << 20;

    static FileSystem fs;
    static Path dir;
    static String mode;
    static long size;
    static short replication;
    static byte[] buf;
    static long seq;

    static void once() throws Exception {
        Path p = mode.equals("small") ? new Path(dir, "s" + (seq++)) : new Path(dir, "file");
        FSDataOutputStream out = fs.create(p, true, 65536, replication, BLOCK);
        long left = size;
        while (left > 0) {
            int k = (int) Math.min(left, buf.length);
            out.write(buf, 0, k);
            left -= k;
        }
        out.close();
    }

    public static void main(String[] a) throws Exception {
        URI uri = new URI(a[0]);
        dir = new Path(a[1]);
        mode = a[2];
        size = Long.parseLong(a[3]);
        replication = Short.parseShort(a[4]);
        int chunk = Integer.parseInt(a[5]);
        long warmup = Long.parseLong(a[6]);

        fs = FileSystem.get(uri, new Configuration());
        fs.mkdirs(dir);
        buf = new byte[(int) Math.min(chunk, Math.max(size, 1))];
        new Random(1).nextBytes(buf);
        for (long i = 0; i < warmup; i++)
            once();
        BenchLoop.serve(n -> {
            for (long i = 0; i < n; i++)
                once();
        }, 0);
        fs.delete(dir, true);
        BenchLoop.printVersions("");
        fs.close();
    }
}
