// NameNode benchmark for the stock Java client (hadoop-hdfs of the cluster):
// N sequential FileSystem.getFileStatus() calls on one path, after a warm-up
// that lets the JIT compile the client's hot path.
//
// Usage: java -cp OUT:CONF_DIR:JARS/* NnBench URI PATH WARMUP CALLS ROUNDS [NN_PID]
// Prints one JSON object on stdout.  NN_PID (optional, 0 = none) is the
// NameNode's process id on this machine: its CPU time is read from
// /proc/PID/stat around each round so the server's cost per call shows too.
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
    // Linux clock ticks; USER_HZ is 100 on every Linux ABI that Java runs on.
    private static final double TICK = 0.01;

    static double procCpu(long pid) {
        if (pid <= 0) return -1;
        try {
            String s = new String(Files.readAllBytes(Paths.get("/proc/" + pid + "/stat")));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state=0 ... utime=11 stime=12
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK;
        } catch (Exception e) {
            return -1;
        }
    }

    static double selfCpu() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean)
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() / 1e9;
        return -1;
    }

    public static void main(String[] a) throws Exception {
        URI uri = new URI(a[0]);
        Path path = new Path(a[1]);
        int warmup = Integer.parseInt(a[2]);
        int calls = Integer.parseInt(a[3]);
        int rounds = Integer.parseInt(a[4]);
        long nnPid = a.length > 5 ? Long.parseLong(a[5]) : 0;

        Configuration conf = new Configuration();
        FileSystem fs = FileSystem.get(uri, conf);
        long sink = 0;
        for (int i = 0; i < warmup; i++) {
            FileStatus st = fs.getFileStatus(path);
            sink += st.getLen();
        }
        StringBuilder out = new StringBuilder();
        out.append("{\"hadoop_version\": \"").append(VersionInfo.getVersion()).append("\"");
        out.append(", \"java_version\": \"").append(System.getProperty("java.version")).append("\"");
        out.append(", \"rounds\": [");
        for (int r = 0; r < rounds; r++) {
            double nn0 = procCpu(nnPid);
            double c0 = selfCpu();
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                FileStatus st = fs.getFileStatus(path);
                sink += st.getLen();
            }
            long t1 = System.nanoTime();
            double c1 = selfCpu();
            double nn1 = procCpu(nnPid);
            if (r > 0) out.append(", ");
            out.append("{\"ops\": ").append(calls)
               .append(", \"wall\": ").append((t1 - t0) / 1e9)
               .append(", \"cpu\": ").append(c0 < 0 ? "null" : String.valueOf(c1 - c0))
               .append(", \"nn_cpu\": ").append(nn0 < 0 ? "null" : String.valueOf(nn1 - nn0))
               .append("}");
        }
        out.append("], \"sink\": ").append(sink).append("}");
        fs.close();
        System.out.println(out);
    }
}
