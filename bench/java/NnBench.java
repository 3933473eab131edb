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
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Paths;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.VersionInfo;

public class NnBench {
    // Linux clock ticks: USER_HZ is 100 on the Linux ABIs Java runs on.
    private static final double TICK = 0.01;
    private static long sink;

    static String procCpu(long pid) {
        if (pid <= 0) return null;
        try {
            String s = new String(Files.readAllBytes(Paths.get("/proc/" + pid + "/stat")));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": f[0] is the state; utime, stime are f[11], f[12]
            return String.valueOf((Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK);
        } catch (Exception e) {
            return null;
        }
    }

    static double selfCpu() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean)
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() / 1e9;
        return -1;
    }

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
        System.out.println("READY");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            String[] cmd = line.trim().split("\\s+");
            if (cmd[0].equals("ROUND")) {
                long n = Long.parseLong(cmd[1]);
                String nn0 = procCpu(nnPid);
                double c0 = selfCpu();
                double t0 = System.currentTimeMillis() / 1e3;
                long w0 = System.nanoTime();
                calls(fs, path, n);
                long w1 = System.nanoTime();
                double t1 = System.currentTimeMillis() / 1e3;
                double c1 = selfCpu();
                String nn1 = procCpu(nnPid);
                String nn = (nn0 == null || nn1 == null) ? "null"
                        : String.valueOf(Double.parseDouble(nn1) - Double.parseDouble(nn0));
                System.out.println("{\"ops\": " + n + ", \"wall\": " + (w1 - w0) / 1e9
                        + ", \"cpu\": " + (c0 < 0 ? "null" : String.valueOf(c1 - c0))
                        + ", \"nn_cpu\": " + nn + ", \"t0\": " + t0 + ", \"t1\": " + t1 + "}");
                System.out.flush();
            } else if (cmd[0].equals("EXIT")) {
                break;
            }
        }
        System.out.println("{\"hadoop_version\": \"" + VersionInfo.getVersion()
                + "\", \"java_version\": \"" + System.getProperty("java.version")
                + "\", \"sink\": " + sink + "}");
        System.out.flush();
        fs.close();
    }
}
