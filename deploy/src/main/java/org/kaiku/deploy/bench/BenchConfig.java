package org.kaiku.deploy.bench;

import java.net.InetSocketAddress;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * What every {@link BenchClient} of one run shares.
 *
 * @param server             the server's c2s (STARTTLS) address, a loopback address
 * @param domain             the XMPP domain (stream {@code to}, JIDs, TLS SNI)
 * @param password           every bench account's password
 * @param mechanisms         SASL mechanisms in order of preference, the first one offered is used
 * @param resource           the resource each session binds
 * @param ssl                TLS context (trusts any certificate: loopback only, see {@link BenchTargets})
 * @param loginTimeoutMillis a session not online by then is failed and closed
 * @param quickAck           acknowledge every segment at once (Linux TCP_QUICKACK, re-armed after
 *                           each read) instead of delaying ACKs as a normal client does; see
 *                           docs/bench/README.md on Nagle's algorithm and stream restarts
 */
record BenchConfig(InetSocketAddress server, String domain, String password, List<String> mechanisms,
                   String resource, SSLContext ssl, long loginTimeoutMillis, boolean quickAck) {
    BenchConfig {
        mechanisms = List.copyOf(mechanisms);
    }
}
