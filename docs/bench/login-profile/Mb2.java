// Microbenchmark for docs/bench/LOGIN-PROFILE.md: java -cp bcprov-jdk18on-1.84.jar Mb2.java
import java.security.*;
import java.security.spec.*;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
public class Mb2 {
    public static void main(String[] a) throws Exception {
        Provider bc = new BouncyCastleProvider();
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC"); g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        PrivateKey bcKey = KeyFactory.getInstance("EC", bc).generatePrivate(new PKCS8EncodedKeySpec(kp.getPrivate().getEncoded()));
        byte[] msg = new byte[130];
        for (int r = 0; r < 3; r++)
        for (String who : new String[]{"jdk", "bc(jdk key)", "bc(bc key)"}) {
            int n = 3000; long c0 = cpu();
            for (int i = 0; i < n; i++) {
                Signature s = who.equals("jdk") ? Signature.getInstance("SHA256withECDSA") : Signature.getInstance("SHA256withECDSA", bc);
                s.initSign(who.equals("bc(bc key)") ? bcKey : kp.getPrivate()); s.update(msg); byte[] sig = s.sign();
                if (i == 0) { Signature v = Signature.getInstance("SHA256withECDSA"); v.initVerify(kp.getPublic()); v.update(msg); if (!v.verify(sig)) throw new AssertionError(who); }
            }
            System.out.printf("%s sign: %.3f ms cpu%n", who, (cpu() - c0) / 1e6 / n);
        }
    }
    static long cpu() { return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(); }
}
