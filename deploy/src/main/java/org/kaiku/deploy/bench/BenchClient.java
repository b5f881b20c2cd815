package org.kaiku.deploy.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.ongres.scram.client.ScramClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import jdk.net.ExtendedSocketOptions;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stream.StreamHeader;
import org.kaiku.protocol.xml.StreamEvent;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlStreamDecoder;
import org.kaiku.protocol.xml.XmlWriter;
import org.kaiku.protocol.stream.XmlStreamException;

/**
 * One lean, non-blocking XMPP client session for load generation, driven by an {@link EventLoop}:
 * TCP connect (from a chosen loopback source address), stream open, STARTTLS (RFC 6120 section
 * 5), SASL SCRAM-SHA-1/-256 or PLAIN (section 6; SCRAM through the scram-client library, channel
 * binding not used so the GS2 flag is "n"), stream restart, resource binding (section 7), a
 * session request only when the server marks it mandatory (RFC 3921 legacy), roster get (RFC 6121
 * section 2.1.3) and initial presence (section 4.2). Or, in registration mode, in-band
 * registration (XEP-0077 section 3.1) right after TLS, then close.
 *
 * <p>It speaks to any server and assumes nothing about it beyond the RFCs. Incoming iq get/set
 * are answered (ping with a result, anything else with feature-not-implemented) so a server that
 * pings idle clients keeps them. The server certificate is not verified: the tool connects only
 * to loopback addresses (see {@link BenchTargets}) and measures, it protects nothing.
 *
 * <p>Not thread-safe: every method runs on the owning loop's thread.
 */
final class BenchClient {
    enum Mode { LOGIN, REGISTER }

    enum State { NEW, CONNECTING, STREAM, TLS_WAIT, HANDSHAKE, STREAM_TLS, SASL, STREAM_AUTHED, BIND, SESSION, ROSTER, REGISTER, ONLINE, DONE }

    /** What a scenario hears from its clients (called on the loop thread). */
    interface Listener {
        /**
         * Online: roster received, initial presence sent.
         *
         * @param loginNanos TCP connect to roster result
         * @param authNanos  end of the TLS handshake to roster result (SASL, restart, bind, roster)
         */
        void online(BenchClient client, long loginNanos, long authNanos);

        void registered(BenchClient client, boolean created);

        void message(BenchClient client, String body, long receivedNanos);

        /** The session ended without being asked to: before being online, or later. */
        void failed(BenchClient client, State state, String reason);

        /**
         * Every stanza an online session receives (after {@link #message} for a message with a
         * body), except iq get/set, which the client answers itself: the MUC and PubSub
         * scenarios read presences, iq results and event notifications here.
         */
        default void stanza(BenchClient client, XmlElement stanza, long receivedNanos) {
        }
    }

    private static final String SASL = Namespaces.SASL;
    private static final String PING = "urn:xmpp:ping";
    private static final String REGISTER_NS = "jabber:iq:register";

    final int index;
    final String user;
    private final BenchConfig config;
    private final EventLoop loop;
    private final Listener listener;
    private final InetSocketAddress source;
    private final Mode mode;

    /** Written on the loop thread, read by the scenario's thread too. */
    private volatile State state = State.NEW;
    private SocketChannel channel;
    private SelectionKey key;
    private SSLEngine tls;
    private XmlStreamDecoder decoder;
    private ScramClient scram;
    private boolean scramFinalSent;
    /** Encrypted bytes of a partial TLS record, kept between reads. */
    private byte[] heldIn;
    /** Bytes the socket did not take yet. */
    private ByteBuffer pendingOut;
    private long startNanos;
    private long tlsDoneNanos;
    private int iqSeq;
    private int stanzaSeq;
    private boolean sessionRequired;
    private boolean closing;

    BenchClient(int index, String user, BenchConfig config, EventLoop loop, InetSocketAddress source, Mode mode,
                Listener listener) {
        this.index = index;
        this.user = user;
        this.config = config;
        this.loop = loop;
        this.source = source;
        this.mode = mode;
        this.listener = listener;
    }

    EventLoop loop() {
        return loop;
    }

    State state() {
        return state;
    }

    boolean isOnline() {
        return state == State.ONLINE;
    }

    String bareJid() {
        return user + "@" + config.domain();
    }

    /** Opens the connection; the session proceeds on its own from here. */
    void start() {
        startNanos = System.nanoTime();
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.bind(source);
            state = State.CONNECTING;
            key = channel.register(loop.selector(), SelectionKey.OP_CONNECT, this);
            if (channel.connect(config.server())) {
                connected();
            }
        } catch (IOException e) {
            fail("connect: " + e.getMessage());
            return;
        }
        loop.schedule(config.loginTimeoutMillis(), () -> {
            if (state != State.ONLINE && state != State.DONE) {
                fail("timeout after " + config.loginTimeoutMillis() + " ms");
            }
        });
    }

    /** Sends a chat message to {@code to} (a bare JID) whose body the scenario made. */
    void sendMessage(String to, String body) {
        sendMessage(to, "chat", body);
    }

    /** Sends a message of {@code type} (chat, groupchat) to {@code to} whose body the scenario made. */
    void sendMessage(String to, String type, String body) {
        if (state != State.ONLINE) {
            return;
        }
        StringBuilder sb = new StringBuilder(96 + body.length());
        sb.append("<message type='").append(type).append("' id='m").append(++stanzaSeq).append("' to='");
        XmlWriter.escapeAttr(to, sb);
        sb.append("'><body>");
        XmlWriter.escapeText(body, sb);
        sb.append("</body></message>");
        send(sb.toString());
    }

    /** Sends a stanza the scenario wrote (a MUC join, a PubSub request) once online. */
    void sendStanza(String xml) {
        if (state == State.ONLINE) {
            send(xml);
        }
    }

    /** Closes the stream politely (RFC 6120 section 4.4) and the socket; no listener call. */
    void close() {
        if (state == State.DONE) {
            return;
        }
        closing = true;
        if (state.ordinal() >= State.STREAM.ordinal() && state != State.HANDSHAKE && state != State.TLS_WAIT) {
            send(StreamHeader.CLOSE);
        }
        shut();
    }

    // ---- I/O ------------------------------------------------------------------------------

    void onReady(SelectionKey k) {
        try {
            if (!k.isValid()) {
                return;
            }
            if (k.isConnectable()) {
                if (channel.finishConnect()) {
                    connected();
                }
                return;
            }
            if (k.isWritable()) {
                flushPending();
            }
            if (k.isValid() && k.isReadable()) {
                read();
            }
        } catch (IOException e) {
            fail(e.getMessage() == null ? e.toString() : e.getMessage());
        } catch (XmlStreamException e) {
            fail("bad XML from server: " + e.getMessage());
        } catch (RuntimeException e) {
            fail("client error: " + e);
        }
    }

    private void connected() {
        key.interestOps(SelectionKey.OP_READ);
        openStream(State.STREAM);
    }

    private void openStream(State next) {
        state = next;
        decoder = new XmlStreamDecoder();
        send(StreamHeader.open(null, config.domain(), null, null));
    }

    private void read() throws IOException, XmlStreamException {
        ByteBuffer net = loop.netIn;
        net.clear();
        if (heldIn != null) {
            net.put(heldIn);
            heldIn = null;
        }
        int n = channel.read(net);
        if (config.quickAck()) {
            // the kernel falls back to delayed ACKs after a while: re-arm after every read
            channel.setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
        }
        if (n < 0) {
            fail(state == State.ONLINE ? "server closed the connection" : "server closed the connection in state " + state);
            return;
        }
        net.flip();
        if (tls == null) {
            deliver(net);
        } else {
            unwrap(net);
        }
        if (net.hasRemaining() && state != State.DONE) {
            heldIn = new byte[net.remaining()];
            net.get(heldIn);
        }
    }

    private void unwrap(ByteBuffer net) throws IOException, XmlStreamException {
        while (state != State.DONE) {
            HandshakeStatus hs = tls.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                Runnable task;
                while ((task = tls.getDelegatedTask()) != null) {
                    task.run();
                }
                continue;
            }
            if (hs == HandshakeStatus.NEED_WRAP) {
                wrap(ByteBuffer.allocate(0));
                continue;
            }
            if (!net.hasRemaining()) {
                return;
            }
            ByteBuffer app = loop.appIn;
            app.clear();
            SSLEngineResult r = tls.unwrap(net, app);
            app.flip();
            if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                handshakeDone();
            }
            if (app.hasRemaining()) {
                deliver(app);
            }
            switch (r.getStatus()) {
                case BUFFER_UNDERFLOW:
                    return;
                case BUFFER_OVERFLOW:
                    loop.appIn = ByteBuffer.allocate(Math.max(loop.appIn.capacity() * 2, tls.getSession().getApplicationBufferSize()));
                    break;
                case CLOSED:
                    fail("server closed TLS");
                    return;
                default:
                    break;
            }
        }
    }

    private void wrap(ByteBuffer src) throws SSLException {
        while (true) {
            ByteBuffer out = loop.netOut;
            out.clear();
            SSLEngineResult r = tls.wrap(src, out);
            out.flip();
            write(out);
            if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                handshakeDone();
            }
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                loop.netOut = ByteBuffer.allocate(Math.max(loop.netOut.capacity() * 2, tls.getSession().getPacketBufferSize()));
                continue; // the same wrap again, into the bigger buffer
            }
            if (r.getStatus() == SSLEngineResult.Status.CLOSED || (r.bytesConsumed() == 0 && r.bytesProduced() == 0)
                    || !src.hasRemaining()) {
                return;
            }
        }
    }

    private void send(String xml) {
        if (state == State.DONE || channel == null) {
            return;
        }
        ByteBuffer bytes = ByteBuffer.wrap(xml.getBytes(UTF_8));
        try {
            if (tls == null) {
                write(bytes);
            } else {
                wrap(bytes);
            }
        } catch (SSLException e) {
            fail("TLS: " + e.getMessage());
        }
    }

    private void write(ByteBuffer bytes) {
        if (!bytes.hasRemaining() || state == State.DONE) {
            return;
        }
        if (pendingOut == null) {
            try {
                channel.write(bytes);
            } catch (IOException e) {
                fail("write: " + e.getMessage());
                return;
            }
            if (!bytes.hasRemaining()) {
                return;
            }
            pendingOut = ByteBuffer.allocate(Math.max(4096, bytes.remaining() * 2));
            key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
        }
        if (pendingOut.remaining() < bytes.remaining()) {
            pendingOut.flip();
            ByteBuffer bigger = ByteBuffer.allocate((pendingOut.remaining() + bytes.remaining()) * 2);
            bigger.put(pendingOut);
            pendingOut = bigger;
        }
        pendingOut.put(bytes);
    }

    private void flushPending() throws IOException {
        if (pendingOut == null) {
            key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
            return;
        }
        pendingOut.flip();
        channel.write(pendingOut);
        if (pendingOut.hasRemaining()) {
            pendingOut.compact();
        } else {
            pendingOut = null;
            key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
            if (closing) {
                shut();
            }
        }
    }

    private void shut() {
        if (pendingOut != null && closing && state != State.DONE && key != null && key.isValid()) {
            state = State.DONE;
            // let the loop write the rest; the socket is closed once empty or by close() of the loop
            loop.schedule(1000, this::closeChannel);
            return;
        }
        state = State.DONE;
        closeChannel();
    }

    private void closeChannel() {
        state = State.DONE;
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // gone already
        }
    }

    private void fail(String reason) {
        if (state == State.DONE) {
            return;
        }
        State at = state;
        closeChannel();
        if (!closing) {
            listener.failed(this, at, reason);
        }
    }

    // ---- XMPP -----------------------------------------------------------------------------

    private void deliver(ByteBuffer bytes) throws XmlStreamException {
        XmlStreamDecoder current = decoder;
        List<StreamEvent> events = current.feed(bytes);
        for (StreamEvent event : events) {
            if (state == State.DONE) {
                return;
            }
            if (event instanceof StreamEvent.StreamElement se) {
                element(se.element());
            } else if (event instanceof StreamEvent.StreamClose) {
                fail("server closed the stream in state " + state);
                return;
            }
            if (decoder != current) {
                // a stream restart: whatever else came belongs to the new stream; servers wait
                // for our new header before sending, so nothing is lost here
                return;
            }
        }
    }

    private void element(XmlElement e) {
        if (e.is("error", Namespaces.STREAMS)) {
            fail("stream error: " + describe(e));
            return;
        }
        switch (state) {
            case STREAM -> {
                if (!e.is("features", Namespaces.STREAMS)) {
                    return;
                }
                if (e.child("starttls", Namespaces.TLS) == null) {
                    fail("server offers no STARTTLS");
                    return;
                }
                state = State.TLS_WAIT;
                send("<starttls xmlns='" + Namespaces.TLS + "'/>");
            }
            case TLS_WAIT -> {
                if (!e.is("proceed", Namespaces.TLS)) {
                    fail("STARTTLS refused: " + e.name());
                    return;
                }
                startTls();
            }
            case STREAM_TLS -> {
                if (e.is("features", Namespaces.STREAMS)) {
                    streamFeaturesAfterTls(e);
                }
            }
            case SASL -> sasl(e);
            case REGISTER -> {
                if (e.is("iq", Namespaces.CLIENT) && "reg".equals(e.attr("id"))) {
                    boolean ok = "result".equals(e.attr("type"));
                    boolean exists = !ok && e.child("error", Namespaces.CLIENT) != null
                            && e.child("error", Namespaces.CLIENT).child("conflict", Namespaces.STANZAS) != null;
                    if (ok || exists) {
                        close();
                        listener.registered(this, ok);
                    } else {
                        fail("registration refused: " + describe(e));
                    }
                }
            }
            case STREAM_AUTHED -> {
                if (e.is("features", Namespaces.STREAMS)) {
                    if (e.child("bind", Namespaces.BIND) == null) {
                        fail("server offers no resource binding");
                        return;
                    }
                    XmlElement session = e.child("session", Namespaces.SESSION);
                    sessionRequired = session != null && session.child("optional", Namespaces.SESSION) == null;
                    state = State.BIND;
                    send("<iq type='set' id='bind'><bind xmlns='" + Namespaces.BIND + "'><resource>"
                            + config.resource() + "</resource></bind></iq>");
                }
            }
            case BIND -> {
                if (isResult(e, "bind")) {
                    if (sessionRequired) {
                        state = State.SESSION;
                        send("<iq type='set' id='sess'><session xmlns='" + Namespaces.SESSION + "'/></iq>");
                    } else {
                        rosterGet();
                    }
                } else if (isError(e, "bind")) {
                    fail("bind refused: " + describe(e));
                }
            }
            case SESSION -> {
                if (isResult(e, "sess")) {
                    rosterGet();
                } else if (isError(e, "sess")) {
                    fail("session refused: " + describe(e));
                }
            }
            case ROSTER -> {
                if (isResult(e, "roster")) {
                    send("<presence/>");
                    state = State.ONLINE;
                    long now = System.nanoTime();
                    listener.online(this, now - startNanos, now - tlsDoneNanos);
                } else if (isError(e, "roster")) {
                    fail("roster refused: " + describe(e));
                } else {
                    established(e);
                }
            }
            case ONLINE -> established(e);
            default -> {
                // nothing expected in this state
            }
        }
    }

    private void rosterGet() {
        state = State.ROSTER;
        send("<iq type='get' id='roster'><query xmlns='" + Namespaces.ROSTER + "'/></iq>");
    }

    private void established(XmlElement e) {
        long now = System.nanoTime();
        if (e.is("message", Namespaces.CLIENT)) {
            String body = e.childText("body", Namespaces.CLIENT);
            if (body != null) {
                listener.message(this, body, now);
            }
        } else if (e.is("iq", Namespaces.CLIENT)) {
            String type = e.attr("type");
            if ("get".equals(type) || "set".equals(type)) {
                answerIq(e);
                return;
            }
        }
        listener.stanza(this, e, now);
    }

    private void answerIq(XmlElement iq) {
        String id = iq.attr("id") == null ? "" : iq.attr("id");
        String from = iq.attr("from");
        StringBuilder sb = new StringBuilder("<iq id='");
        XmlWriter.escapeAttr(id, sb);
        sb.append('\'');
        if (from != null) {
            sb.append(" to='");
            XmlWriter.escapeAttr(from, sb);
            sb.append('\'');
        }
        if (iq.child("ping", PING) != null) {
            sb.append(" type='result'/>");
        } else {
            sb.append(" type='error'><error type='cancel'><feature-not-implemented xmlns='")
                    .append(Namespaces.STANZAS).append("'/></error></iq>");
        }
        send(sb.toString());
    }

    private void startTls() {
        tls = config.ssl().createSSLEngine(config.domain(), config.server().getPort());
        tls.setUseClientMode(true);
        state = State.HANDSHAKE;
        try {
            tls.beginHandshake();
            wrap(ByteBuffer.allocate(0));
        } catch (SSLException e) {
            fail("TLS: " + e.getMessage());
        }
    }

    private void handshakeDone() {
        if (state == State.HANDSHAKE) {
            tlsDoneNanos = System.nanoTime();
            openStream(State.STREAM_TLS);
        }
    }

    private void streamFeaturesAfterTls(XmlElement features) {
        if (mode == Mode.REGISTER) {
            state = State.REGISTER;
            send("<iq type='set' id='reg'><query xmlns='" + REGISTER_NS + "'><username>" + user
                    + "</username><password>" + XmlWriter.escapeAttr(config.password()) + "</password></query></iq>");
            return;
        }
        XmlElement mechanisms = features.child("mechanisms", SASL);
        List<String> offered = new ArrayList<>();
        if (mechanisms != null) {
            for (XmlElement m : mechanisms.elements("mechanism", SASL)) {
                offered.add(m.text().strip());
            }
        }
        String chosen = config.mechanisms().stream().filter(offered::contains).findFirst().orElse(null);
        if (chosen == null) {
            fail("none of " + config.mechanisms() + " offered (server offers " + offered + ")");
            return;
        }
        state = State.SASL;
        String initial;
        if (chosen.equals("PLAIN")) {
            initial = "\0" + user + "\0" + config.password();
        } else {
            scram = ScramClient.builder().advertisedMechanisms(List.of(chosen)).username(user)
                    .password(config.password().toCharArray()).build();
            initial = scram.clientFirstMessage().toString();
        }
        send("<auth xmlns='" + SASL + "' mechanism='" + chosen + "'>" + b64(initial) + "</auth>");
    }

    private void sasl(XmlElement e) {
        try {
            if (e.is("challenge", SASL)) {
                if (scram == null) {
                    fail("unexpected SASL challenge");
                } else if (!scramFinalSent) {
                    scram.serverFirstMessage(unb64(e.text()));
                    scramFinalSent = true;
                    send("<response xmlns='" + SASL + "'>" + b64(scram.clientFinalMessage().toString()) + "</response>");
                } else {
                    // server-final sent as a challenge (RFC 6120 section 6.4.6 allows either way)
                    scram.serverFinalMessage(unb64(e.text()));
                    scram = null;
                    send("<response xmlns='" + SASL + "'/>");
                }
            } else if (e.is("success", SASL)) {
                if (scram != null) {
                    String data = e.text().strip();
                    if (data.isEmpty() || data.equals("=")) {
                        fail("SASL success without the server's signature");
                        return;
                    }
                    scram.serverFinalMessage(unb64(data));
                    scram = null;
                }
                openStream(State.STREAM_AUTHED);
            } else if (e.is("failure", SASL)) {
                fail("authentication failed: " + describe(e));
            }
        } catch (Exception ex) {
            fail("SCRAM: " + ex.getMessage());
        }
    }

    private static boolean isResult(XmlElement e, String id) {
        return e.is("iq", Namespaces.CLIENT) && id.equals(e.attr("id")) && "result".equals(e.attr("type"));
    }

    private static boolean isError(XmlElement e, String id) {
        return e.is("iq", Namespaces.CLIENT) && id.equals(e.attr("id")) && "error".equals(e.attr("type"));
    }

    private static String describe(XmlElement e) {
        String xml = e.toXml();
        return xml.length() > 300 ? xml.substring(0, 300) + "..." : xml;
    }

    private static String b64(String s) {
        return s.isEmpty() ? "=" : Base64.getEncoder().encodeToString(s.getBytes(UTF_8));
    }

    private static String unb64(String s) {
        return new String(Base64.getDecoder().decode(s.strip()), UTF_8);
    }
}
