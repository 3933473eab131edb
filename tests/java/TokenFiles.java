// Java's side of tests/test_tokens.py: token files written and read by
// Hadoop's own Credentials class.
//   java TokenFiles write FILE   a delegation token, an opaque token, a secret
//   java TokenFiles read FILE    one line per entry (tab-separated, hex bytes)
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.File;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.security.token.delegation.DelegationTokenIdentifier;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.security.Credentials;
import org.apache.hadoop.security.token.Token;
import org.apache.hadoop.security.token.TokenIdentifier;

public class TokenFiles {
	static String hex(byte[] b) {
		StringBuilder sb = new StringBuilder();
		for (byte x : b)
			sb.append(String.format("%02x", x & 0xff));
		return sb.toString();
	}

	public static void main(String[] args) throws Exception {
		Configuration conf = new Configuration(false);
		File f = new File(args[1]);
		if (args[0].equals("write")) {
			DelegationTokenIdentifier id = new DelegationTokenIdentifier(
			    new Text("alice"), new Text("yarn"), new Text("proxy"));
			id.setIssueDate(1700000000123L);
			id.setMaxDate(1700604800123L);
			id.setSequenceNumber(42);
			id.setMasterKeyId(-3);
			Credentials c = new Credentials();
			c.addToken(new Text("127.0.0.1:8020"), new Token<DelegationTokenIdentifier>(
			    id.getBytes(), "s3cret-password-bytes".getBytes("UTF-8"), id.getKind(),
			    new Text("127.0.0.1:8020")));
			byte[] opaque = new byte[300];
			for (int i = 0; i < opaque.length; i++)
				opaque[i] = (byte) i;
			c.addToken(new Text("other"), new Token<TokenIdentifier>(opaque, new byte[0],
			    new Text("TEST_KIND"), new Text("ha-hdfs:ns1")));
			byte[] secret = new byte[200];
			java.util.Arrays.fill(secret, (byte) 0x5a);
			c.addSecretKey(new Text("key1"), secret);
			c.writeTokenStorageFile(new Path(f.toURI()), conf);
			return;
		}
		Credentials c = Credentials.readTokenStorageFile(f, conf);
		for (Text alias : tokenAliases(c)) {
			Token<?> t = c.getToken(alias);
			System.out.println("token\t" + alias + "\t" + t.getKind() + "\t" + t.getService()
			    + "\t" + hex(t.getIdentifier()) + "\t" + hex(t.getPassword())
			    + "\t" + t.encodeToUrlString());
			if (t.getKind().equals(DelegationTokenIdentifier.HDFS_DELEGATION_KIND)) {
				DelegationTokenIdentifier id = new DelegationTokenIdentifier();
				id.readFields(new DataInputStream(new ByteArrayInputStream(t.getIdentifier())));
				System.out.println("ident\t" + alias + "\t" + id.getOwner() + "\t"
				    + id.getRenewer() + "\t" + id.getRealUser() + "\t" + id.getIssueDate()
				    + "\t" + id.getMaxDate() + "\t" + id.getSequenceNumber() + "\t"
				    + id.getMasterKeyId());
			}
		}
		for (Text alias : c.getAllSecretKeys())
			System.out.println("secret\t" + alias + "\t" + hex(c.getSecretKey(alias)));
	}

	// Credentials has no alias listing for tokens in 2.7; its map is private.
	@SuppressWarnings("unchecked")
	static java.util.Collection<Text> tokenAliases(Credentials c) throws Exception {
		java.lang.reflect.Field fld = Credentials.class.getDeclaredField("tokenMap");
		fld.setAccessible(true);
		return ((java.util.Map<Text, ?>) fld.get(c)).keySet();
	}
}
