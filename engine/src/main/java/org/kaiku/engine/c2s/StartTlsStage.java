package org.kaiku.engine.c2s;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;
import org.kaiku.engine.c2s.TlsFraming.Data;
import org.kaiku.engine.c2s.TlsFraming.Incoming;
import org.kaiku.engine.c2s.TlsFraming.Outgoing;
import org.kaiku.engine.c2s.TlsFraming.Received;
import org.kaiku.engine.c2s.TlsFraming.TlsEstablished;
import org.kaiku.engine.c2s.TlsFraming.UpgradeTls;

/**
 * TLS framing for one client connection, able to start in the clear and switch to TLS at an
 * exact byte: STARTTLS (RFC 6120 section 5.4.3.3) needs the {@code <proceed/>} in plain text and
 * everything after it encrypted. Pekko's {@code TLS} stage encrypts from the first byte and cannot
 * be switched on mid-stream, so this stage drives the JDK's {@link SSLEngine} itself; with an
 * engine given at construction it is direct TLS from the start (XEP-0368).
 *
 * <p>Backpressure: the network side is pulled only while nothing decrypted waits for the
 * session, and the session side only while nothing waits for the socket, so a slow reader or a
 * slow session slows the other end down instead of filling memory.
 *
 * <p>Shape: in1 = from the session, out1 = to the socket, in2 = from the socket, out2 = to the session.
 */
public final class StartTlsStage extends GraphStage<BidiShape<Outgoing, ByteString, ByteString, Incoming>> {
    private final Inlet<Outgoing> appIn = Inlet.create("StartTls.appIn");
    private final Outlet<ByteString> netOut = Outlet.create("StartTls.netOut");
    private final Inlet<ByteString> netIn = Inlet.create("StartTls.netIn");
    private final Outlet<Incoming> appOut = Outlet.create("StartTls.appOut");
    private final BidiShape<Outgoing, ByteString, ByteString, Incoming> shape = BidiShape.of(appIn, netOut, netIn, appOut);
    private final SSLEngine directTlsEngine;

    /** @param directTlsEngine the engine for direct TLS, or null to start in the clear */
    public StartTlsStage(SSLEngine directTlsEngine) {
        this.directTlsEngine = directTlsEngine;
    }

    @Override
    public BidiShape<Outgoing, ByteString, ByteString, Incoming> shape() {
        return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
        return new Logic();
    }

    private final class Logic extends GraphStageLogic {
        private static final int MAX_PENDING_NET = 8;
        private final ArrayDeque<ByteString> toNet = new ArrayDeque<>();
        private final ArrayDeque<Incoming> toApp = new ArrayDeque<>();
        /** Application bytes written while the handshake is still running, sent when it ends. */
        private final ArrayDeque<ByteString> held = new ArrayDeque<>();
        private SSLEngine engine = directTlsEngine;
        private boolean established;
        private boolean appDone;
        private boolean netDone;
        private ByteBuffer pendingNet = ByteBuffer.allocate(0);

        Logic() {
            super(shape);
            setHandler(appIn, new AbstractInHandler() {
                @Override
                public void onPush() throws SSLException {
                    Outgoing o = grab(appIn);
                    if (o instanceof Data d) {
                        if (engine == null) {
                            toNet.add(d.bytes());
                        } else if (!established) {
                            held.add(d.bytes());
                        } else {
                            wrap(ByteBuffer.wrap(d.bytes().toArray()));
                        }
                    } else if (o instanceof UpgradeTls u && engine == null) {
                        toNet.add(u.lastClearBytes());
                        engine = u.engine();
                        engine.beginHandshake();
                    }
                    flush();
                }

                @Override
                public void onUpstreamFinish() throws SSLException {
                    appDone = true;
                    if (engine != null && !engine.isOutboundDone()) {
                        engine.closeOutbound();
                        wrap(ByteBuffer.allocate(0));
                    }
                    flush();
                }
            });
            setHandler(netIn, new AbstractInHandler() {
                @Override
                public void onPush() throws SSLException {
                    ByteString bytes = grab(netIn);
                    if (engine == null) {
                        toApp.add(new Received(bytes));
                    } else {
                        unwrap(bytes);
                        while (established && !held.isEmpty() && !engine.isOutboundDone()) {
                            wrap(ByteBuffer.wrap(held.poll().toArray()));
                        }
                    }
                    flush();
                }

                @Override
                public void onUpstreamFinish() {
                    netDone = true;
                    flush();
                }
            });
            setHandler(netOut, new AbstractOutHandler() {
                @Override
                public void onPull() {
                    flush();
                }
            });
            setHandler(appOut, new AbstractOutHandler() {
                @Override
                public void onPull() {
                    flush();
                }

                @Override
                public void onDownstreamFinish(Throwable cause) {
                    // The session stopped reading; what it still writes (a stream error, the
                    // closing tag) must reach the socket, so only the network input ends here.
                    netDone = true;
                    toApp.clear();
                    if (!isClosed(netIn)) {
                        cancel(netIn);
                    }
                    flush();
                }
            });
        }

        @Override
        public void preStart() throws SSLException {
            if (engine != null) {
                engine.beginHandshake();
            }
            flush();
        }

        private void flush() {
            if (isAvailable(netOut) && !toNet.isEmpty()) {
                ByteString out = toNet.poll();
                while (!toNet.isEmpty()) {
                    out = out.concat(toNet.poll());
                }
                push(netOut, out);
            }
            if (isAvailable(appOut) && !toApp.isEmpty()) {
                push(appOut, toApp.poll());
            }
            if (appDone && toNet.isEmpty() && !isClosed(netOut)) {
                complete(netOut);
            }
            if (netDone && toApp.isEmpty() && !isClosed(appOut)) {
                complete(appOut);
            }
            if (!netDone && !isClosed(netIn) && !hasBeenPulled(netIn) && toApp.isEmpty() && toNet.size() < MAX_PENDING_NET) {
                pull(netIn);
            }
            if (!appDone && !isClosed(appIn) && !hasBeenPulled(appIn) && toNet.isEmpty()) {
                pull(appIn);
            }
        }

        private void unwrap(ByteString bytes) throws SSLException {
            ByteBuffer in = ByteBuffer.allocate(pendingNet.remaining() + bytes.size());
            in.put(pendingNet);
            bytes.copyToBuffer(in);
            in.flip();
            while (true) {
                ByteBuffer app = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
                SSLEngineResult r = engine.unwrap(in, app);
                app.flip();
                SSLEngineResult.HandshakeStatus hs = r.getHandshakeStatus();
                boolean handshakeWork = hs == SSLEngineResult.HandshakeStatus.NEED_TASK
                        || hs == SSLEngineResult.HandshakeStatus.NEED_WRAP;
                handshakeProgress(hs);
                if (app.hasRemaining()) {
                    toApp.add(new Received(ByteString.fromByteBuffer(app)));
                }
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    // close_notify from the client: answer it and end the input.
                    wrap(ByteBuffer.allocate(0));
                    netDone = true;
                    if (!isClosed(netIn)) {
                        cancel(netIn);
                    }
                    break;
                }
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                    break;
                }
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    continue;
                }
                if (!in.hasRemaining() || (!handshakeWork && r.bytesConsumed() == 0 && r.bytesProduced() == 0)) {
                    break;
                }
            }
            pendingNet = in.hasRemaining() ? ByteBuffer.allocate(in.remaining()).put(in).flip() : ByteBuffer.allocate(0);
        }

        private void wrap(ByteBuffer src) throws SSLException {
            do {
                ByteBuffer net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
                SSLEngineResult r = engine.wrap(src, net);
                net.flip();
                if (net.hasRemaining()) {
                    toNet.add(ByteString.fromByteBuffer(net));
                }
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    return;
                }
                handshakeProgress(r.getHandshakeStatus());
                if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                    return;
                }
            } while (src.hasRemaining());
        }

        private void handshakeProgress(SSLEngineResult.HandshakeStatus status) throws SSLException {
            SSLEngineResult.HandshakeStatus hs = status;
            while (true) {
                switch (hs) {
                    case NEED_TASK -> {
                        Runnable task;
                        while ((task = engine.getDelegatedTask()) != null) {
                            task.run();
                        }
                        hs = engine.getHandshakeStatus();
                    }
                    case NEED_WRAP -> {
                        if (engine.isOutboundDone()) {
                            return;
                        }
                        ByteBuffer net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
                        SSLEngineResult r = engine.wrap(ByteBuffer.allocate(0), net);
                        net.flip();
                        if (net.hasRemaining()) {
                            toNet.add(ByteString.fromByteBuffer(net));
                        }
                        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                            return;
                        }
                        hs = r.getHandshakeStatus();
                    }
                    case FINISHED -> {
                        markEstablished();
                        return;
                    }
                    default -> {
                        if (hs == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING && !established) {
                            markEstablished();
                        }
                        return;
                    }
                }
            }
        }

        private void markEstablished() {
            if (!established) {
                established = true;
                toApp.add(new TlsEstablished(engine.getSession()));
            }
        }
    }
}
