package org.kaiku.engine.c2s;

import java.io.IOException;
import java.util.ArrayDeque;
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
import org.kaiku.engine.tls.ServerTlsConnection;
import org.kaiku.engine.tls.TlsHandshake;

/**
 * TLS framing for one client connection, able to start in the clear and switch to TLS at an
 * exact byte: STARTTLS (RFC 6120 section 5.4.3.3) needs the {@code <proceed/>} in plain text and
 * everything after it encrypted. Pekko's {@code TLS} stage encrypts from the first byte and cannot
 * be switched on mid-stream, so this stage drives a {@link ServerTlsConnection} itself; with one
 * given at construction it is direct TLS from the start (XEP-0368).
 *
 * <p>Backpressure: the network side is pulled only while nothing decrypted waits for the
 * session, and the session side only while nothing waits for the socket, so a slow reader or a
 * slow session slows the other end down instead of filling memory.
 *
 * <p>A TLS failure (garbage, a bad handshake, a fatal alert from the client) sends our alert,
 * ends the input towards the session and closes the socket once the session has finished
 * writing; it never fails the stream, so nothing else in the node notices.
 *
 * <p>Shape: in1 = from the session, out1 = to the socket, in2 = from the socket, out2 = to the session.
 */
public final class StartTlsStage extends GraphStage<BidiShape<Outgoing, ByteString, ByteString, Incoming>> {
    private final Inlet<Outgoing> appIn = Inlet.create("StartTls.appIn");
    private final Outlet<ByteString> netOut = Outlet.create("StartTls.netOut");
    private final Inlet<ByteString> netIn = Inlet.create("StartTls.netIn");
    private final Outlet<Incoming> appOut = Outlet.create("StartTls.appOut");
    private final BidiShape<Outgoing, ByteString, ByteString, Incoming> shape = BidiShape.of(appIn, netOut, netIn, appOut);
    private final ServerTlsConnection directTls;

    /** @param directTls the connection for direct TLS, or null to start in the clear */
    public StartTlsStage(ServerTlsConnection directTls) {
        this.directTls = directTls;
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
        private ServerTlsConnection tls = directTls;
        private boolean established;
        private boolean failed;
        private boolean appDone;
        private boolean netDone;

        Logic() {
            super(shape);
            setHandler(appIn, new AbstractInHandler() {
                @Override
                public void onPush() {
                    Outgoing o = grab(appIn);
                    if (o instanceof Data d) {
                        if (tls == null) {
                            toNet.add(d.bytes());
                        } else if (!established) {
                            held.add(d.bytes());
                        } else {
                            encrypt(d.bytes());
                        }
                    } else if (o instanceof UpgradeTls u && tls == null) {
                        toNet.add(u.lastClearBytes());
                        tls = u.connection();
                    }
                    flush();
                }

                @Override
                public void onUpstreamFinish() {
                    appDone = true;
                    if (tls != null && !tls.isClosed()) {
                        tls.close();
                        collectOutput();
                    }
                    flush();
                }
            });
            setHandler(netIn, new AbstractInHandler() {
                @Override
                public void onPush() {
                    ByteString bytes = grab(netIn);
                    if (tls == null) {
                        toApp.add(new Received(bytes));
                    } else {
                        decrypt(bytes);
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
                    toApp.clear();
                    endInput();
                    flush();
                }
            });
        }

        @Override
        public void preStart() {
            flush();
        }

        private void decrypt(ByteString bytes) {
            byte[] app;
            try {
                app = tls.receive(bytes.toArray());
            } catch (IOException e) {
                fail();
                return;
            }
            collectOutput();
            TlsHandshake done = tls.handshake();
            if (!established && done != null) {
                established = true;
                // Before any decrypted byte, so the session restarts its stream first.
                toApp.add(new TlsEstablished(done));
                while (!held.isEmpty() && !failed) {
                    encrypt(held.poll());
                }
            }
            if (app.length > 0) {
                toApp.add(new Received(ByteString.fromArrayUnsafe(app)));
            }
            if (tls.isClosed()) {
                // close_notify from the client: BC answered it; the input ends here.
                endInput();
            }
        }

        private void encrypt(ByteString bytes) {
            if (failed || tls.isClosed()) {
                return;
            }
            try {
                tls.send(bytes.toArray());
            } catch (IOException e) {
                fail();
                return;
            }
            collectOutput();
        }

        /** The alert (if any) goes out; the session sees its input end and closes the stream. */
        private void fail() {
            failed = true;
            held.clear();
            collectOutput();
            endInput();
        }

        private void endInput() {
            netDone = true;
            if (!isClosed(netIn)) {
                cancel(netIn);
            }
        }

        private void collectOutput() {
            byte[] out = tls.takeOutput();
            if (out.length > 0) {
                toNet.add(ByteString.fromArrayUnsafe(out));
            }
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
            if ((appDone || failed) && toNet.isEmpty() && !isClosed(netOut)) {
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
    }
}
