package org.kaiku.engine.c2s;

import org.apache.pekko.util.ByteString;
import org.kaiku.engine.tls.ServerTlsConnection;
import org.kaiku.engine.tls.TlsHandshake;

/** The messages between a client session and its transport: {@link StartTlsStage}, or a WebSocket ({@link WebSocketFlow}). */
public final class TlsFraming {
    private TlsFraming() {
    }

    /** From the session towards the network. */
    public sealed interface Outgoing permits Data, UpgradeTls, Close {
    }

    /** From the network towards the session. */
    public sealed interface Incoming permits Received, TlsEstablished, MessageEnd {
    }

    /** Application bytes to send (encrypted when TLS is on). */
    public record Data(ByteString bytes) implements Outgoing {
    }

    /**
     * Sends {@code lastClearBytes} (the {@code <proceed/>}, RFC 6120 section 5.4.2.3) in the
     * clear and switches to TLS in the same step: the client answers the proceed with its
     * ClientHello at once, so no byte may arrive between the two and be taken for plain text.
     */
    public record UpgradeTls(ByteString lastClearBytes, ServerTlsConnection connection) implements Outgoing {
    }

    /** Completes the outgoing side: the connection closes once everything before it is sent. */
    public record Close() implements Outgoing {
    }

    /** Application bytes received (already decrypted when TLS is on). */
    public record Received(ByteString bytes) implements Incoming {
    }

    /** The TLS handshake has finished; comes before any decrypted byte. */
    public record TlsEstablished(TlsHandshake handshake) implements Incoming {
    }

    /**
     * WebSocket (RFC 7395): the message whose text came as {@link Received} chunks has ended;
     * {@code text} is false for a binary message, whose bytes are never passed on.
     */
    public record MessageEnd(boolean text) implements Incoming {
    }
}
