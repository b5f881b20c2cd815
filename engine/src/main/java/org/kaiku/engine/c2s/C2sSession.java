package org.kaiku.engine.c2s;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.util.ByteString;
import org.kaiku.engine.c2s.TlsFraming.Incoming;
import org.kaiku.engine.c2s.TlsFraming.Outgoing;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.engine.tls.TlsHandshake;
import org.kaiku.protocol.sasl.SaslException;
import org.kaiku.protocol.sasl.SaslFailure;
import org.kaiku.protocol.ext.csi.ClientState;
import org.kaiku.protocol.ext.sm.StreamManagement;
import org.kaiku.protocol.sasl.ScramCredential;
import org.kaiku.protocol.sasl.ScramMechanism;
import org.kaiku.protocol.stream.StreamError;
import org.kaiku.protocol.stream.StreamError.Condition;
import org.kaiku.protocol.stream.XmlStreamException;
import org.kaiku.protocol.xml.StreamEvent;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlWriter;

/**
 * One client connection (RFC 6120 sections 4-7): the stream machine that takes a TCP
 * connection through TLS, SASL and resource binding, then hands stanzas to
 * {@link EstablishedStanzas}. Negotiation decisions (which features, which mechanisms) come from
 * {@link C2sNegotiation}; this actor holds the per-connection state and the wiring to the stream.
 * A WebSocket connection (RFC 7395) is the same actor with another {@link C2sFraming}: only the
 * decoding of what arrives and the writing of stream headers, elements and errors differ.
 *
 * <p>Backpressure: each chunk from the socket is acknowledged only after it has been handled
 * (and after any credential or bind look-up it started), so a client cannot outrun its session.
 * Writes go to a bounded queue in front of the socket; a client that stops reading fills it
 * and is disconnected instead of growing the server's memory.
 */
public final class C2sSession extends AbstractBehavior<SessionMessage> {

    /**
     * The stream has materialized: where to write stanzas and stream elements ({@code out},
     * bounded, see send-queue-size) and where to post the newest XEP-0198 'h' ({@code acks},
     * coalesced, outside that bound).
     */
    record Attached(ActorRef<Outgoing> out, ActorRef<Long> acks) implements SessionMessage {
    }

    /** The socket side is ready; acknowledge to get the first chunk. */
    record InboundInit(ActorRef<Ack> ackTo) implements SessionMessage {
    }

    record Inbound(Incoming incoming, ActorRef<Ack> ackTo) implements SessionMessage {
    }

    /** The connection's input ended: clean close, abrupt close or failure (null when clean). */
    record InboundEnded(Throwable failure) implements SessionMessage {
    }

    /** The node is stopping: close with system-shutdown (RFC 6120 section 4.9.3.19). */
    public record Shutdown() implements SessionMessage {
    }

    record CredentialsLoaded(org.kaiku.engine.auth.CredentialStore.Stored account, Throwable failure) implements SessionMessage {
    }

    record Bound(String fullJid, Condition conflict, String refusal, Throwable failure) implements SessionMessage {
    }

    /** An asynchronous answer for the client (module iq results). */
    /** The answer to an iq handled before authentication (XEP-0077 registration). */
    record PreAuthAnswer(XmlElement answer) implements SessionMessage {
    }

    record Reply(XmlElement stanza) implements SessionMessage {
    }

    enum Tick implements SessionMessage { KEEPALIVE, NEGOTIATION_TIMEOUT, ACK_REQUEST, RESUME_TIMEOUT, RETIRE_TIMEOUT, ENTITY_KEEPALIVE, DURABLE_CHECK }

    enum Ack { ACK }

    private final C2sContext shared;
    private final TimerScheduler<SessionMessage> timers;
    private final SecureRandom random = new SecureRandom();
    private final boolean directTls;
    /** The client's address, as the listener accepted it (the registration limit counts by it). */
    private final java.net.InetAddress remote;
    private final List<Outgoing> beforeAttach = new ArrayList<>();
    private final java.util.ArrayDeque<StreamEvent> deferred = new java.util.ArrayDeque<>();
    private ActorRef<Outgoing> out;
    private ActorRef<Long> acksOut;
    private ActorRef<Ack> pendingAck;
    private boolean waiting;
    /** How this connection carries the stream (TCP or WebSocket). */
    private final C2sFraming framing;
    private C2sFraming.Decoder decoder;
    private boolean headerSent;
    private boolean closing;
    private boolean wroteSinceTick;
    private TlsHandshake tls;
    /** The account's blocklist as its entity last told us (XEP-0191); empty until then. */
    private Set<String> blocked = Set.of();
    private final C2sNegotiation negotiation;
    private final C2sStreamManagement sm;
    private EstablishedStanzas established;
    /** The connection dropped while the stream can be resumed: the session waits for its client. */
    private boolean detached;
    /** What is held back while the client says it is inactive (XEP-0352). */
    private final ClientStateQueue clientState = new ClientStateQueue();

    private C2sSession(ActorContext<SessionMessage> context, TimerScheduler<SessionMessage> timers,
                       C2sContext shared, C2sFraming framing, boolean directTls, java.net.InetAddress remote) {
        super(context);
        this.shared = shared;
        this.timers = timers;
        this.framing = framing;
        this.directTls = directTls;
        this.remote = remote;
        this.decoder = framing.newDecoder(shared.settings().limits());
        this.negotiation = new C2sNegotiation(shared, this);
        this.sm = new C2sStreamManagement(shared, this, timers);
        timers.startSingleTimer(Tick.NEGOTIATION_TIMEOUT, shared.settings().negotiationTimeout());
        timers.startTimerWithFixedDelay(Tick.KEEPALIVE, shared.settings().keepaliveInterval());
    }

    public static Behavior<SessionMessage> create(C2sContext shared, boolean directTls, java.net.InetAddress remote) {
        return create(shared, C2sFraming.TCP, directTls, remote);
    }

    static Behavior<SessionMessage> create(C2sContext shared, C2sFraming framing, boolean directTls, java.net.InetAddress remote) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new C2sSession(ctx, timers, shared, framing, directTls, remote)));
    }

    @Override
    public Receive<SessionMessage> createReceive() {
        return newReceiveBuilder()
                .onMessage(Attached.class, this::onAttached)
                .onMessage(InboundInit.class, m -> {
                    pendingAck = m.ackTo();
                    releaseAck();
                    return this;
                })
                .onMessage(Inbound.class, this::onInbound)
                .onMessage(InboundEnded.class, this::onInboundEnded)
                .onMessage(CredentialsLoaded.class, m -> afterWait(() -> negotiation.onCredentials(m)))
                .onMessage(Bound.class, m -> afterWait(() -> negotiation.onBound(m)))
                .onMessage(PreAuthAnswer.class, m -> afterWait(() -> negotiation.onPreAuthAnswer(m)))
                .onMessage(Reply.class, m -> {
                    writeStanza(m.stanza(), 0);
                    return this;
                })
                .onMessage(SessionMessage.Deliver.class, m -> {
                    writeStanza(m.stanza(), m.seq());
                    return this;
                })
                .onMessage(SessionMessage.Blocklist.class, m -> {
                    blocked = m.jids();
                    return this;
                })
                .onMessage(SessionMessage.SmTracking.class, m -> afterWait(() -> sm.onTracking(m)))
                .onMessage(SessionMessage.SmResumeTarget.class, m -> afterWait(() -> sm.onResumeTarget(m)))
                .onMessage(C2sStreamManagement.HandedOver.class, m -> afterWait(() -> sm.onHandedOver(m)))
                .onMessage(SessionMessage.SmSwapped.class, m -> afterWait(() -> sm.onSwapped(m)))
                .onMessage(SessionMessage.SmHandOver.class, m -> {
                    sm.onHandOver(m);
                    return this;
                })
                .onMessage(SessionMessage.SmRetire.class, m -> sm.handedOver() ? Behaviors.stopped() : this)
                .onMessageEquals(Tick.ACK_REQUEST, () -> {
                    sm.onAckTimer();
                    return this;
                })
                .onMessage(SessionMessage.Durable.class, m -> sm.onDurable(m) ? afterWait(() -> { }) : this)
                .onMessageEquals(Tick.DURABLE_CHECK, () -> sm.onDurableTimer() ? afterWait(() -> { }) : this)
                .onMessageEquals(Tick.ENTITY_KEEPALIVE, () -> {
                    sm.keepEntity();
                    return this;
                })
                .onMessageEquals(Tick.RESUME_TIMEOUT, () -> detached && !sm.handedOver() ? Behaviors.stopped() : this)
                .onMessageEquals(Tick.RETIRE_TIMEOUT, () -> {
                    if (!sm.handedOver()) {
                        return this;
                    }
                    // the entity never moved the resource: it is ours to give back
                    sm.handOverLapsed();
                    return Behaviors.stopped();
                })
                .onMessage(SessionMessage.Kick.class, m -> {
                    streamError(m.condition(), m.text());
                    return this;
                })
                .onMessage(Shutdown.class, m -> {
                    if (neverAttached()) {
                        return Behaviors.stopped();
                    }
                    streamError(Condition.SYSTEM_SHUTDOWN, "the server is stopping");
                    // a handed-over session has nothing left to close: it only waited to be retired
                    return sm.handedOver() ? Behaviors.stopped() : this;
                })
                .onMessageEquals(Tick.KEEPALIVE, this::onKeepalive)
                .onMessageEquals(Tick.NEGOTIATION_TIMEOUT, () -> {
                    if (neverAttached()) {
                        // a WebSocket whose upgrade never ran: no stream to close
                        return Behaviors.stopped();
                    }
                    if (established == null) {
                        streamError(Condition.CONNECTION_TIMEOUT, "negotiation took too long");
                    }
                    return this;
                })
                .onSignal(PostStop.class, s -> {
                    unbind();
                    return this;
                })
                .build();
    }

    /**
     * The connection's input ended. A resumable stream (XEP-0198 section 5) outlives it: the
     * session keeps counting and holding stanzas until its client resumes or the granted time
     * passes; anything else ends the session.
     */
    private Behavior<SessionMessage> onInboundEnded(InboundEnded m) {
        if (m.failure() != null) {
            getContext().getLog().debug("connection failed: {}", m.failure().toString());
        }
        if (detached) {
            return closing && !sm.handedOver() ? Behaviors.stopped() : this;
        }
        // a handed-over session lives on until the entity retires it, so that its death cannot
        // end the resource the resuming session is taking over
        if (sm.handedOver() || (established != null && !closing && sm.resumable())) {
            detached = true;
            // what an inactive client was not yet sent counts as sent on the dropped connection,
            // so that resumption re-sends it and the account gets it back if nobody resumes
            clientState.drain().forEach(h -> emitStanza(h.stanza(), h.seq()));
            out = null;
            acksOut = null;
            deferred.clear();
            timers.cancel(Tick.KEEPALIVE);
            timers.cancel(Tick.ACK_REQUEST);
            if (!sm.handedOver()) {
                timers.startSingleTimer(Tick.RESUME_TIMEOUT, sm.resumeTimeout());
            }
            return this;
        }
        return Behaviors.stopped();
    }

    private void unbind() {
        if (established != null && !sm.handedOver()) {
            established.unbind();
        }
        if (established != null) {
            established.release();
        }
    }

    /** No transport was ever wired to this session (a WebSocket upgrade that did not happen). */
    private boolean neverAttached() {
        return out == null && !detached;
    }

    private Behavior<SessionMessage> onAttached(Attached m) {
        out = m.out();
        acksOut = m.acks();
        beforeAttach.forEach(out::tell);
        beforeAttach.clear();
        releaseAck();
        return this;
    }

    private Behavior<SessionMessage> onInbound(Inbound m) {
        pendingAck = m.ackTo();
        if (m.incoming() instanceof TlsFraming.TlsEstablished t) {
            tls = t.handshake();
            decoder = framing.newDecoder(shared.settings().limits());
        } else if (!closing) {
            feed(m.incoming());
        }
        releaseAck();
        return this;
    }

    private void feed(Incoming incoming) {
        if (!directTls && tls == null && negotiation.awaitingTls()) {
            // Bytes in the clear after <proceed/> (RFC 6120 section 5.4.3.3: the client must wait).
            streamError(Condition.POLICY_VIOLATION, "data after STARTTLS before the TLS handshake");
            return;
        }
        List<StreamEvent> events;
        try {
            events = decoder.decode(incoming);
        } catch (XmlStreamException e) {
            streamError(e.condition(), e.getMessage());
            return;
        }
        deferred.addAll(events);
        processDeferred();
    }

    /**
     * Handles decoded events in order. While a look-up is running (credentials, bind) the rest
     * wait here, so a client that pipelines (a bind and its first presence in one packet) is
     * served in order rather than refused.
     */
    private void processDeferred() {
        C2sFraming.Decoder current = decoder;
        while (!deferred.isEmpty() && !waiting) {
            StreamEvent ev = deferred.poll();
            if (closing || decoder != current) {
                // A stream restart (TLS, SASL success) discards what the old stream still held.
                deferred.clear();
                return;
            }
            if (ev instanceof StreamEvent.StreamOpen open) {
                negotiation.onStreamOpen(open);
            } else if (ev instanceof StreamEvent.StreamElement el) {
                if (established != null && StreamManagement.is(el.element())) {
                    sm.onElement(el.element());
                } else if (established != null && ClientState.parse(el.element()).isPresent()) {
                    onClientState(ClientState.parse(el.element()).get());
                } else if (established != null) {
                    if (!established.onStanza(el.element())) {
                        sm.handledInbound();
                    }
                } else {
                    negotiation.onElement(el.element());
                }
            } else if (ev instanceof StreamEvent.StreamClose) {
                closeStream();
            }
        }
    }

    private Behavior<SessionMessage> onKeepalive() {
        if (headerSent && !closing && !wroteSinceTick && framing.whitespaceKeepalive()) {
            write(" ");
        }
        wroteSinceTick = false;
        return this;
    }

    // ---- used by C2sNegotiation and EstablishedStanzas ----

    ActorContext<SessionMessage> context() {
        return getContext();
    }

    /** Whether the stream is encrypted: TLS on this connection, or below the stream (WebSocket over WSS). */
    boolean isTls() {
        return directTls || tls != null || framing.encryptedBelow();
    }

    /** The finished TLS handshake of this connection, null while it runs in the clear. */
    TlsHandshake tlsHandshake() {
        return tls;
    }

    Set<String> blocked() {
        return blocked;
    }

    SecureRandom random() {
        return random;
    }

    boolean headerSent() {
        return headerSent;
    }

    void sendHeader(String to) {
        write(framing.streamOpen(shared.settings().domain(), to, Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong())));
        headerSent = true;
    }

    java.net.InetAddress remote() {
        return remote;
    }

    /** Pause reading from the socket until {@link #afterWait} runs. */
    void waitForAnswer() {
        waiting = true;
    }

    private Behavior<SessionMessage> afterWait(Runnable r) {
        waiting = false;
        if (!closing) {
            r.run();
            processDeferred();
        }
        releaseAck();
        return this;
    }

    private void releaseAck() {
        if (pendingAck != null && !waiting && out != null) {
            pendingAck.tell(Ack.ACK);
            pendingAck = null;
        }
    }

    /** Starts a new stream after TLS or SASL success (RFC 6120 sections 5.4.3.3, 6.4.6). */
    void restartStream() {
        decoder = framing.newDecoder(shared.settings().limits());
        headerSent = false;
    }

    /** Writes {@code proceed} in the clear and turns TLS on right behind it. */
    void startTls(XmlElement proceed) {
        wroteSinceTick = true;
        send(new TlsFraming.UpgradeTls(ByteString.fromString(XmlWriter.write(proceed, "jabber:client"), StandardCharsets.UTF_8),
                shared.tls().newConnection()));
        decoder = null;
        headerSent = false;
    }

    void established(EstablishedStanzas stanzas) {
        this.established = stanzas;
        timers.cancel(Tick.NEGOTIATION_TIMEOUT);
    }

    EstablishedStanzas established() {
        return established;
    }

    C2sStreamManagement sm() {
        return sm;
    }

    boolean detached() {
        return detached;
    }

    boolean closing() {
        return closing;
    }

    void writeElement(XmlElement element) {
        write(framing.element(element));
    }

    /**
     * XEP-0352: the client's {@code <active/>} (true) or {@code <inactive/>} (false), a nonza
     * (not counted by XEP-0198). Going active writes everything held before the next element
     * from the client is handled (section 6: a ping sent right after is answered after them).
     */
    private void onClientState(boolean active) {
        if (active) {
            clientState.goActive().forEach(h -> emitStanza(h.stanza(), h.seq()));
        } else {
            clientState.goInactive();
        }
    }

    /**
     * Writes a stanza of the bound stream, or holds it while the client is inactive
     * ({@link ClientStateQueue}); {@code entitySeq} as in {@link SessionMessage.Deliver}.
     */
    void writeStanza(XmlElement stanza, long entitySeq) {
        if (closing || established == null) {
            return;
        }
        if (!clientState.inactive()) {
            emitStanza(stanza, entitySeq);
            return;
        }
        for (ClientStateQueue.Held h : clientState.offer(stanza, entitySeq)) {
            emitStanza(h.stanza(), h.seq());
        }
    }

    private void emitStanza(XmlElement stanza, long entitySeq) {
        if (!closing && established != null) {
            sm.sent(stanza, entitySeq);
            if (!closing) {
                writeElement(stanza);
            }
        }
    }

    /**
     * Sends {@code <a h='h'/>} (XEP-0198 section 4) on the connection's answer channel: it does
     * not count against the send queue, and an answer not yet written is replaced by this newer
     * one. Nothing once the stream is closing or the connection is gone.
     */
    void writeAck(long h) {
        if (detached || closing) {
            return;
        }
        if (acksOut == null) {
            writeElement(StreamManagement.answer(h));
            return;
        }
        wroteSinceTick = true;
        acksOut.tell(h);
    }

    void write(String xml) {
        if (detached) {
            return;
        }
        wroteSinceTick = true;
        send(new TlsFraming.Data(ByteString.fromString(xml, StandardCharsets.UTF_8)));
    }

    private void send(Outgoing o) {
        if (out == null) {
            beforeAttach.add(o);
        } else {
            out.tell(o);
        }
    }

    /** Sends a stream error and closes the stream (RFC 6120 section 4.9.1.1). */
    void streamError(Condition condition, String text) {
        streamError(new StreamError(condition, text));
    }

    void streamError(StreamError error) {
        if (closing) {
            return;
        }
        if (!headerSent) {
            sendHeader(null);
        }
        getContext().getLog().debug("stream error {}: {}", error.condition().elementName(), error.text());
        write(framing.streamError(error));
        finish();
    }

    /** The client closed its stream (RFC 6120 section 4.4): close ours. */
    private void closeStream() {
        unbind();
        finish();
    }

    private void finish() {
        if (closing) {
            return;
        }
        closing = true;
        unbind();
        if (detached) {
            // no connection to close: end the session the way a closed connection would
            getContext().getSelf().tell(new InboundEnded(null));
            return;
        }
        write(framing.streamClose());
        send(new TlsFraming.Close());
    }

    static Duration askTimeout() {
        return Duration.ofSeconds(15);
    }
}
