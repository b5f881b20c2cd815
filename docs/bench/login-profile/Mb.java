// Microbenchmark for docs/bench/LOGIN-PROFILE.md: java -cp bcprov-jdk18on-1.84.jar Mb.java
import java.security.*;
import java.security.spec.*;
import javax.crypto.KeyAgreement;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
public class Mb {
    public static void main(String[] a) throws Exception {
        Provider bc = new BouncyCastleProvider();
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC"); g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        byte[] msg = new byte[130];
        for (String who : new String[]{"jdk", "bc", "jdk", "bc", "jdk", "bc"}) {
            for (String alg : new String[]{"SHA256withECDSA"}) {
                int n = 2000; long c0 = cpu();
                for (int i = 0; i < n; i++) { Signature s = who.equals("jdk") ? Signature.getInstance(alg) : Signature.getInstance(alg, bc); s.initSign(kp.getPrivate()); s.update(msg); s.sign(); }
                System.out.printf("%s %s sign: %.3f ms cpu%n", who, alg, (cpu() - c0) / 1e6 / n);
            }
            int n = 2000; long c0 = cpu();
            for (int i = 0; i < n; i++) {
                KeyPairGenerator xg = who.equals("jdk") ? KeyPairGenerator.getInstance("X25519") : KeyPairGenerator.getInstance("X25519", bc);
                KeyPair x1 = xg.generateKeyPair(); KeyPair x2 = xg.generateKeyPair();
                KeyAgreement ka = who.equals("jdk") ? KeyAgreement.getInstance("X25519") : KeyAgreement.getInstance("X25519", bc);
                ka.init(x1.getPrivate()); ka.doPhase(x2.getPublic(), true); ka.generateSecret();
            }
            System.out.printf("%s X25519 2 keygen + 1 agreement: %.3f ms cpu%n", who, (cpu() - c0) / 1e6 / n);
        }
    }
    static long cpu() { return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(); }
}
