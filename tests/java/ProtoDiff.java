// Compares our csrc/proto definitions with the ones compiled into the Hadoop 3
// jars, field by field (number, name, label, type) and enum value by value.
// Usage: java -cp JARS:. ProtoDiff OURS.pb OuterClass... (OURS.pb from protoc
// --include_imports --descriptor_set_out); prints one line per difference in
// the messages and enums both sides define, and our types Hadoop lacks.
// Run by tests/test_hadoop3.py.
import org.apache.hadoop.thirdparty.protobuf.Descriptors;
import org.apache.hadoop.thirdparty.protobuf.DescriptorProtos.*;
import java.nio.file.*;
import java.util.*;

public class ProtoDiff {
    static Map<String, String> ours = new TreeMap<>(), theirs = new TreeMap<>();

    static void msg(Map<String, String> m, String prefix, DescriptorProto d) {
        String full = prefix + "." + d.getName();
        m.put(full, "message");
        for (FieldDescriptorProto f : d.getFieldList())
            m.put(full + "#" + f.getNumber(), f.getName() + " " + f.getLabel() + " " + f.getType() + " " + f.getTypeName());
        for (DescriptorProto n : d.getNestedTypeList()) msg(m, full, n);
        for (EnumDescriptorProto e : d.getEnumTypeList()) en(m, full, e);
    }

    static void en(Map<String, String> m, String prefix, EnumDescriptorProto e) {
        String full = prefix + "." + e.getName();
        m.put(full, "enum");
        for (EnumValueDescriptorProto v : e.getValueList()) m.put(full + "=" + v.getName(), "" + v.getNumber());
    }

    static void file(Map<String, String> m, FileDescriptorProto fd) {
        for (DescriptorProto d : fd.getMessageTypeList()) msg(m, fd.getPackage(), d);
        for (EnumDescriptorProto e : fd.getEnumTypeList()) en(m, fd.getPackage(), e);
    }

    static void walk(Descriptors.FileDescriptor fd, Set<String> seen) {
        if (!seen.add(fd.getName())) return;
        file(theirs, fd.toProto());
        for (Descriptors.FileDescriptor d : fd.getDependencies()) walk(d, seen);
    }

    static String owner(String k) {
        int i = k.indexOf('#');
        if (i < 0) i = k.indexOf('=');
        return i < 0 ? null : k.substring(0, i);
    }

    public static void main(String[] a) throws Exception {
        FileDescriptorSet set = FileDescriptorSet.parseFrom(Files.readAllBytes(Paths.get(a[0])));
        for (FileDescriptorProto fd : set.getFileList()) file(ours, fd);
        Set<String> seen = new HashSet<>();
        for (int i = 1; i < a.length; i++) {
            Object fd = Class.forName(a[i]).getMethod("getDescriptor").invoke(null);
            walk((Descriptors.FileDescriptor) fd, seen);
        }
        for (Map.Entry<String, String> e : ours.entrySet()) {
            String k = e.getKey(), o = e.getValue(), t = theirs.get(k), own = owner(k);
            if (own == null) {
                if (t == null) System.out.println("OURS-ONLY-TYPE " + k);
                continue;
            }
            if (!theirs.containsKey(own)) continue;
            if (t == null) System.out.println("OURS-ONLY " + k + " " + o);
            else if (!o.equals(t)) System.out.println("DIFF " + k + ": ours [" + o + "] hadoop [" + t + "]");
        }
        for (Map.Entry<String, String> e : theirs.entrySet()) {
            String k = e.getKey(), own = owner(k);
            if (own != null && ours.containsKey(own) && !ours.containsKey(k))
                System.out.println("HADOOP-ONLY " + k + " " + e.getValue());
        }
    }
}
