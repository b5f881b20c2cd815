package org.kaiku.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Sends one file (50 MB, or args[0] bytes) from one Smack client to another through the SOCKS5
 * proxy of an in-process node and prints the rate in Mbit/s. Run it from deploy's test classpath;
 * it is not a test (the test sends a smaller file).
 */
public final class BytestreamsProxyBenchmark {
    private BytestreamsProxyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 50_000_000;
        org.jivesoftware.smackx.bytestreams.socks5.Socks5Proxy.setLocalSocks5ProxyEnabled(false);
        Path dir = Files.createTempDirectory("kaiku-socks5-bench");
        try (BytestreamsNode node = new BytestreamsNode(dir, Map.of("kaiku.relay.socks5.bytes-per-second", 0))) {
            node.addUser("romeo");
            node.addUser("juliet");
            BytestreamsProxySmackTest.Result r = BytestreamsProxySmackTest.transfer(node, size);
            System.out.printf("%d bytes in %.2f s: %.1f Mbit/s, SHA-256 %s%n", size, r.seconds(), size * 8 / r.seconds() / 1e6,
                    Arrays.equals(r.sent(), r.received()) ? "matches" : "DIFFERS");
        }
        System.exit(0);
    }
}
