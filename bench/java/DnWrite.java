import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.Random;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The stock Java client writing one file, timed inside the JVM (no JVM
 * start): DnWrite URI PATH SIZE_MIB REPLICATION WARMUP_MIB.
 * A warm-up file of WARMUP_MIB first (JIT), then PATH from a 4 MiB buffer
 * written again and again; prints "SECONDS BYTES CPU_SECONDS" (CPU of the
 * whole JVM, all threads, during the timed write).
 */
public class DnWrite {
	static void write(FileSystem fs, Path p, long size, short repl, byte[] buf) throws Exception {
		FSDataOutputStream out = fs.create(p, true, 4096, repl, 128L << 20);
		for (long done = 0; done < size; done += buf.length)
			out.write(buf, 0, (int) Math.min(buf.length, size - done));
		out.close();
	}

	public static void main(String[] a) throws Exception {
		Configuration conf = new Configuration();
		FileSystem fs = FileSystem.get(URI.create(a[0]), conf);
		Path p = new Path(a[1]);
		long size = Long.parseLong(a[2]) << 20;
		short repl = Short.parseShort(a[3]);
		long warm = Long.parseLong(a[4]) << 20;
		byte[] buf = new byte[4 << 20];
		new Random(1).nextBytes(buf);
		if (warm > 0)
			write(fs, new Path(a[1] + ".warmup"), warm, repl, buf);
		com.sun.management.OperatingSystemMXBean os =
		    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
		long cpu0 = os.getProcessCpuTime();
		long t0 = System.nanoTime();
		write(fs, p, size, repl, buf);
		long t1 = System.nanoTime();
		long cpu1 = os.getProcessCpuTime();
		System.out.printf("%.6f %d %.6f%n", (t1 - t0) / 1e9, size, (cpu1 - cpu0) / 1e9);
		fs.close();
	}
}
