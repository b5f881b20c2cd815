package org.kaiku.engine.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.bouncycastle.tls.TlsServerProtocol;

/**
 * The server end of one TLS connection, driven by bytes: the network's bytes go in through
 * {@link #receive}, application bytes through {@link #send}, and whatever must reach the network
 * comes out of {@link #takeOutput}. It wraps Bouncy Castle's TLS protocol in its non-blocking
 * mode and owns no thread and no socket, so a Pekko stage can run it inside its own callbacks.
 *
 * <p>Not thread-safe: one connection, one caller at a time (the stage that owns it).
 */
public final class ServerTlsConnection {
    private static final byte[] NONE = new byte[0];

    private final TlsServerProtocol protocol = new TlsServerProtocol();
    private final C2sTlsServer server;

    ServerTlsConnection(C2sTlsServer server) {
        this.server = server;
        try {
            protocol.accept(server);
        } catch (IOException e) {
            // Non-blocking accept only records the peer; it sends and reads nothing yet.
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Feeds bytes read from the network and returns the application bytes they completed
     * (possibly none). Handshake records are answered through {@link #takeOutput}.
     *
     * @throws IOException when the peer broke the protocol or sent a fatal alert; the alert we
     *                     answer with is then waiting in {@link #takeOutput}, and the connection
     *                     is closed
     */
    public byte[] receive(byte[] network) throws IOException {
        protocol.offerInput(network);
        int n = protocol.getAvailableInputBytes();
        if (n == 0) {
            return NONE;
        }
        byte[] app = new byte[n];
        protocol.readInput(app, 0, n);
        return app;
    }

    /** Encrypts application bytes; only after the handshake ({@link #handshake()} not null). */
    public void send(byte[] application) throws IOException {
        protocol.writeApplicationData(application, 0, application.length);
    }

    /** The bytes to write to the network now (records, alerts); empty when there are none. */
    public byte[] takeOutput() {
        int n = protocol.getAvailableOutputBytes();
        if (n == 0) {
            return NONE;
        }
        byte[] out = new byte[n];
        protocol.readOutput(out, 0, n);
        return out;
    }

    /** The handshake's outcome once it completed, null before. */
    public TlsHandshake handshake() {
        return server.handshake();
    }

    /** Queues our close_notify (RFC 8446 section 6.1); collect it with {@link #takeOutput}. */
    public void close() {
        try {
            protocol.close();
        } catch (IOException e) {
            // Closing a connection that already failed: nothing more to send.
        }
    }

    /** True once either side closed the connection or it failed. */
    public boolean isClosed() {
        return protocol.isClosed();
    }
}
