// The worker side of the bench protocol (bench/common.py), one copy for
// every Java bench that is driven over stdin/stdout by
// bench/clients/java.py: READY after the warm-up, then one JSON line per
// "ROUND N" until "EXIT" (or the end of stdin).
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;

import org.apache.hadoop.util.VersionInfo;

final class BenchLoop {
    // Linux clock ticks: USER_HZ is 100 on the Linux ABIs Java runs on.
    private static final double TICK = 0.01;

    /** n operations of one bench; what one operation is, the bench says. */
    interface Ops {
        void run(long n) throws Exception;
    }

    private BenchLoop() {
    }

    /** CPU seconds of process pid (utime + stime), null when pid <= 0 or unreadable. */
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

    /** CPU seconds of this JVM, all threads; -1 when the JVM cannot tell. */
    static double selfCpu() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean)
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() / 1e9;
        return -1;
    }

    /**
     * Prints READY, then times ops.run(N) for each "ROUND N" on stdin and
     * prints the round's JSON line, until "EXIT" or the end of stdin. nnPid
     * (0 = none) is the NameNode's pid on this machine, whose CPU time is
     * read around each round so that the server's cost shows too.
     */
    static void serve(Ops ops, long nnPid) throws Exception {
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
                ops.run(n);
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
    }

    /** Prints the closing JSON line: the versions, then extra (", \"k\": v" or ""). */
    static void printVersions(String extra) {
        System.out.println("{\"hadoop_version\": \"" + VersionInfo.getVersion()
                + "\", \"java_version\": \"" + System.getProperty("java.version")
                + "\"" + extra + "}");
        System.out.flush();
    }
}
