package org.kaiku.engine.testing;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.kaiku.protocol.component.ComponentProtocol;
import org.kaiku.protocol.xml.StreamEvent;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlStreamDecoder;

/**
 * An external component for tests (XEP-0114, the component side), over a real socket: it opens
 * the stream, answers the handshake from the server's stream id and reads what the server sends
 * with Kaiku's own stream decoder, one event at a time. Smack has no component API, so this is
 * the smallest honest peer; what it writes is the XEP's wire format, written out by hand.
 */
public final class RawComponent implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final BlockingQueue<StreamEvent> events = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile boolean closed;

    public RawComponent(int port, String domain) throws Exception {
        socket = new Socket(InetAddress.getByName("127.0.0.1"), port);
        out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        reader = new Thread(() -> {
            XmlStreamDecoder decoder = new XmlStreamDecoder();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    events.addAll(decoder.feed(buf, 0, n));
                }
            } catch (Exception e) {
                // closed by the server or by us
            }
            closed = true;
        }, "raw-component");
        reader.setDaemon(true);
        reader.start();
        send("<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' "
                + "xmlns:stream='http://etherx.jabber.org/streams' to='" + domain + "'>");
    }

    /** The server's stream header: its id is what the handshake hashes. */
    public StreamEvent.StreamOpen header() throws InterruptedException {
        return (StreamEvent.StreamOpen) next();
    }

    /** Sends the handshake for {@code secret} and returns the server's answer (an element or the stream's end). */
    public XmlElement handshake(String secret) throws Exception {
        String id = header().attributes().get("id");
        send("<handshake>" + ComponentProtocol.digest(id, secret) + "</handshake>");
        return nextElement();
    }

    public void send(String xml) throws Exception {
        out.write(xml.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The next element the server sent (a stanza, a handshake or a stream:error); null if the stream ended first. */
    public XmlElement nextElement() throws InterruptedException {
        StreamEvent ev = next();
        return ev instanceof StreamEvent.StreamElement el ? el.element() : null;
    }

    /** The next stream event, waiting up to 30 s (a bound for a failing test, not a timing). */
    public StreamEvent next() throws InterruptedException {
        StreamEvent ev = events.poll(30, TimeUnit.SECONDS);
        if (ev == null) {
            throw new AssertionError("the server sent nothing within 30 s (closed: " + closed + ")");
        }
        return ev;
    }

    /** Whether the server closed the connection (waits for it up to the given bound). */
    public boolean closedWithin(Duration bound) throws InterruptedException {
        reader.join(bound.toMillis());
        return closed;
    }

    /** Events received and not yet taken. */
    public List<StreamEvent> pending() {
        return List.copyOf(events);
    }

    @Override
    public void close() throws Exception {
        socket.close();
    }
}
