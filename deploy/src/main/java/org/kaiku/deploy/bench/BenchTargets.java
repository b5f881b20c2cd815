package org.kaiku.deploy.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.kaiku.deploy.cli.CommandFailure;

/**
 * Where the load tool may point: loopback addresses only, for the server and for the source
 * addresses it binds. A load generator aimed at someone else's server is an attack, so the tool
 * refuses any other address rather than trusting its user; and because it never leaves the
 * machine it can skip certificate checks (the benchmark servers use a self-signed certificate).
 */
final class BenchTargets {
    private BenchTargets() {
    }

    /** Resolves {@code host} and insists it is a loopback address. */
    static InetSocketAddress server(String host, int port) {
        InetAddress address = loopback("--host", host);
        return new InetSocketAddress(address, port);
    }

    /** The source addresses to spread connections over (port 0: the system picks one). */
    static List<InetSocketAddress> sources(List<String> hosts) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String h : hosts) {
            out.add(new InetSocketAddress(loopback("--source-addresses", h.strip()), 0));
        }
        return out;
    }

    private static InetAddress loopback(String flag, String host) {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new CommandFailure(flag, "unknown host " + host, CommandFailure.USAGE);
        }
        if (!address.isLoopbackAddress()) {
            throw new CommandFailure(flag, host + " (" + address.getHostAddress()
                    + ") is not a loopback address; kaiku bench only loads servers on this machine", CommandFailure.USAGE);
        }
        return address;
    }

    /** A TLS client context that accepts any certificate; only ever used towards loopback. */
    static SSLContext trustingContext() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException("no TLS client context: " + e, e);
        }
    }
}
