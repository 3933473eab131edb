// Java 1.x's own file checksums, for tests/test_v1.py: prints, per path,
// FileChecksum.toString() and the hex of its serialized bytes. Built
// against the Hadoop 1.x jars (1.x's FsShell has no -checksum).
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileChecksum;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

public class V1Checksum {
    public static void main(String[] args) throws Exception {
        FileSystem fs = FileSystem.get(new URI(args[0]), new Configuration());
        for (int i = 1; i < args.length; i++) {
            FileChecksum c = fs.getFileChecksum(new Path(args[i]));
            StringBuilder hex = new StringBuilder();
            for (byte b : c.getBytes()) {
                hex.append(String.format("%02x", b & 0xff));
            }
            System.out.println(c + " " + hex);
        }
        fs.close();
    }
}
